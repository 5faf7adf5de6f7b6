"""The access matrix of the surveys module: role x action x own/other organisation.

A wave opens only where the user's role grants ``surveys.view_waves`` (look) or
``surveys.manage_waves`` (change); everything else is the same 404 as a missing wave.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.surveys.conftest import make_wave

from vib.accounts.models import Role
from vib.accounts.selectors import has_capability
from vib.accounts.services import role_assign, user_create
from vib.audit.models import AuditEvent
from vib.organisations.models import Organisation, Tier
from vib.surveys.capabilities import MANAGE_WAVES, VIEW_WAVES
from vib.surveys.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_org(db):
    return Organisation.objects.create(
        code="PV26", name="Provincie Utrecht", tier=Tier.PROVINCIE, reference_date="2025-01-01"
    )


def test_every_role_sees_and_changes_exactly_what_its_capabilities_allow(
    client, org, other_org, researcher
):
    own = make_wave(researcher, org, title="Own")
    other_researcher = user_create(email="r2@example.nl", full_name="R2", password="x" * 14)
    role_assign(user=other_researcher, role="monitor_researcher", organisation=other_org)
    other = make_wave(other_researcher, other_org, title="Other")
    checked = 0
    for role in Role.objects.filter(organisation_bound=True):
        user = user_create(email=f"{role.code}@example.nl", full_name=role.code, password="x" * 14)
        role_assign(user=user, role=role, organisation=org)
        client.force_login(user)
        may_view = has_capability(user, VIEW_WAVES, org)
        may_manage = has_capability(user, MANAGE_WAVES, org)
        assert client.get(f"/monitor/golven/{own.id}").status_code == (200 if may_view else 404), (
            role
        )
        assert client.get(f"/monitor/golven/{other.id}").status_code == 404, role
        assert client.get(f"/monitor/golven/{uuid.uuid4()}").status_code == 404
        live = client.get(f"/monitor/golven/{own.id}/voortgang")
        assert live.status_code == (200 if may_view else 404), role
        if may_view:
            assert b"<html" not in live.content  # the htmx partial alone
            assert b"wave-progress" in live.content
        assert client.get("/monitor/").status_code == (200 if may_view or may_manage else 404)
        assert client.get("/monitor/nieuw").status_code == (200 if may_manage else 404), role
        frame = client.post(f"/monitor/golven/{own.id}/kader")
        assert frame.status_code == (302 if may_manage else 404), role
        assert client.post(f"/monitor/golven/{other.id}/kader").status_code == 404, role
        assert client.post(f"/monitor/golven/{other.id}/sluiten").status_code == 404, role
        checked += 1
        client.logout()
    assert checked >= 12
    assert not Invitation.objects.filter(wave=other).exists()
    assert (
        Role.objects.get(code="monitor_researcher")
        .capabilities.filter(capability=MANAGE_WAVES)
        .exists()
    )


def test_reads_and_refusals_are_audited(client, org, other_org, researcher):
    own = make_wave(researcher, org)
    client.force_login(researcher)
    missing = uuid.uuid4()
    client.get(f"/monitor/golven/{own.id}")
    client.get(f"/monitor/golven/{missing}")
    events = AuditEvent.objects.filter(actor_id=str(researcher.id), action="read")
    assert events.filter(object_id=str(own.id), result="ok").exists()
    assert events.filter(object_id=str(missing), result="denied").exists()


def test_the_dashboard_query_count_does_not_grow_with_the_frame(client, researcher, org):
    from tests.surveys.conftest import frame_csv

    from vib.surveys.services import frame_import_csv

    wave = make_wave(researcher, org)
    client.force_login(researcher)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/monitor/golven/{wave.id}").status_code == 200
        return len(ctx.captured_queries)

    rows = [
        ("office_holders", f"a{i}@example.nl", "gemeente", "GM0344", "raadslid", "")
        for i in range(5)
    ]
    frame_import_csv(actor=researcher, wave=wave, file=frame_csv(rows))
    count()  # warm up (session, first-request caches)
    small = count()
    rows = [
        ("office_holders", f"b{i}@example.nl", "gemeente", "GM0344", f, "")
        for i in range(200)
        for f in ("wethouder",)
    ]
    frame_import_csv(actor=researcher, wave=wave, file=frame_csv(rows))
    assert count() == small
