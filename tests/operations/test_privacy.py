"""The data-subject export (AVG art. 15)."""

from __future__ import annotations

import json
import os
import types
from datetime import date

import pytest
from django.core.management import call_command

from vib.accounts.services import api_token_create
from vib.audit.models import Action, AuditEvent
from vib.audit.services import audit_record
from vib.operations import discovery
from vib.operations.subject import subject_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(people, orgs):
    north, _ = orgs
    clerk = people.clerk
    audit_record(actor=clerk, action=Action.LOGIN, obj=clerk, channel="web")
    audit_record(
        actor=clerk,
        action=Action.READ,
        object_type="incidents.incident",
        object_id="i-1",
        organisation=north,
        reason="follow-up of the incident of colleague Jansen",
    )
    # Someone else looking at the clerk: not exported (it could reveal an investigation).
    audit_record(
        actor=people.admin,
        action=Action.READ,
        obj=clerk,
        reason="integrity investigation 2026-7",
    )
    api_token_create(owner=clerk, name="spreadsheet", scopes=["incidents:read"])
    return clerk


def test_the_export_holds_the_foundations_data_about_the_person(history):
    data = subject_export(user=history)
    assert data["format"] == "vib-subject-export/1"
    assert data["subject"]["email"] == "mede@noord.example"
    assert {r["role"] for r in data["roleAssignments"]} == {"reporter", "hr"}
    assert [e["action"] for e in data["loginHistory"]["events"]] == ["login"]
    assert [t["name"] for t in data["apiTokens"]] == ["spreadsheet"]
    actions = [(e["action"], e["objectType"]) for e in data["auditEventsAsActor"]]
    assert actions == [("login", "accounts.user"), ("read", "incidents.incident")]


def test_the_export_leaves_out_others_secrets_and_investigations(history):
    text = json.dumps(subject_export(user=history))
    assert "Bea Beheer" not in text
    assert "beheer@noord.example" not in text
    assert "investigation" not in text
    assert "Jansen" not in text
    assert history.password not in text
    token_digest = history.api_tokens.get().digest
    assert token_digest not in text


def test_the_export_is_audited(history):
    subject_export(user=history)
    event = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert event.object_id == str(history.pk)
    assert "art. 15" in event.reason


def test_every_module_contributes_through_its_privacy_module(history):
    def export_subject(user):
        return {"declarations": [{"since": date(2025, 1, 1), "userId": user.pk}]}

    module = types.ModuleType("fake_privacy")
    module.export_subject = export_subject  # type: ignore[attr-defined]
    with discovery.registered("privacy", "fake", module):
        data = subject_export(user=history)
    assert data["modules"]["fake"] == {
        "declarations": [{"since": "2025-01-01", "userId": str(history.pk)}]
    }


def test_a_module_must_return_a_dict(history):
    module = types.ModuleType("bad_privacy")
    module.export_subject = lambda user: ["not", "a", "dict"]  # type: ignore[attr-defined]
    with discovery.registered("privacy", "bad", module), pytest.raises(TypeError):
        subject_export(user=history)


def test_the_command_writes_a_file_only_its_owner_can_read(history, tmp_path):
    target = tmp_path / "export.json"
    call_command("privacy", "export", "--email", "MEDE@noord.example", "-o", str(target))
    assert json.loads(target.read_text())["subject"]["fullName"] == "Mo Medewerker"
    assert os.stat(target).st_mode & 0o077 == 0
