"""The services: reporting, the workflow with its append-only history, the handling record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from vib.audit.models import AuditEvent
from vib.incidents import codes, services
from vib.incidents.models import (
    AftercareStep,
    AppendOnlyError,
    Incident,
    Perpetrator,
    Transition,
    Victim,
)

from .conftest import report

pytestmark = pytest.mark.django_db


def test_a_report_creates_the_record_the_history_and_the_first_deadline(world):
    a = world["a"]
    incident = report(a)
    assert incident.status == codes.Status.REPORTED
    assert incident.reference.startswith("AG-")
    assert len(incident.reference) == 14
    assert incident.reported_by == incident.person == a.people["employee"]
    assert not incident.on_behalf
    assert incident.type_values == ["verbaal", "bedreiging"]
    victim = Victim.objects.get(incident=incident)
    assert victim.group == codes.VictimGroup.EMPLOYEE
    assert victim.user == a.people["employee"]
    assert incident.victim_groups == codes.GROUP_BITS["medewerker"]
    (history,) = Transition.objects.filter(incident=incident)
    assert (history.from_status, history.to_status) == ("", codes.Status.REPORTED)
    (step,) = AftercareStep.objects.filter(incident=incident)
    assert step.kind == codes.AftercareKind.FIRST_CONTACT
    assert step.due_at - incident.reported_at == timedelta(hours=72)
    event = AuditEvent.objects.filter(object_id=str(incident.pk), action="create").get()
    assert event.organisation_id == str(a.organisation.pk)


def test_a_known_perpetrator_is_recorded_with_the_report(world):
    incident = report(
        world["a"],
        perpetrator_kind="bekend",
        perpetrator_category="klant",
        perpetrator_description="vaste bezoeker",
    )
    perpetrator = Perpetrator.objects.get(incident=incident)
    assert (perpetrator.kind, perpetrator.category) == ("bekend", "klant")
    assert not Perpetrator.objects.filter(incident=report(world["a"])).exists()


def test_report_validation_names_every_problem(world):
    with pytest.raises(ValidationError) as caught:
        report(
            world["a"],
            types=[],
            channel="telefoon",
            platform="x",
            severity="heel erg",
            occurred_at=timezone.now() + timedelta(days=2),
        )
    errors = caught.value.message_dict
    assert set(errors) >= {"types", "platform", "severity", "occurred_at"}
    assert not Incident.objects.exists()


def test_the_unit_must_belong_to_the_organisation(world):
    with pytest.raises(ValidationError) as caught:
        report(world["a"], unit=world["b"].units["Handhaving"])
    assert "unit" in caught.value.message_dict


def test_only_people_with_the_capability_may_report_and_report_for_others(world):
    a, b = world["a"], world["b"]
    with pytest.raises(ValidationError):
        report(a, who="employee", organisation=b.organisation)  # not their organisation
    with pytest.raises(ValidationError):
        report(a, who="employee", victim_name="Collega Jansen")  # no right to report for others
    incident = report(a, who="coordinator", victim_name="Collega Jansen", victim_group="medewerker")
    assert incident.on_behalf
    assert incident.person is None
    assert Victim.objects.get(incident=incident).name == "Collega Jansen"
    behalf = report(a, who="manager", on_behalf_of=a.people["employee"])
    assert behalf.on_behalf
    assert behalf.person == a.people["employee"]
    with pytest.raises(ValidationError):
        report(a, who="manager", on_behalf_of=b.people["employee"])  # not a member of A


def test_names_are_encrypted_at_rest(world):
    incident = report(world["a"], who="coordinator", victim_name="Geheime Naam")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM incidents_victim WHERE incident_id = %s",
            [incident.pk.hex if connection.vendor == "sqlite" else incident.pk],
        )
        (stored,) = cursor.fetchone()
    assert "Geheime" not in stored


def test_the_workflow_allows_only_its_transitions_and_keeps_history(world):
    a = world["a"]
    incident = report(a)
    coordinator = a.people["coordinator"]
    with pytest.raises(ValidationError):
        services.incident_transition(incident=incident, actor=coordinator, to_status="nazorg")
    services.incident_transition(incident=incident, actor=coordinator, to_status="in_behandeling")
    services.incident_transition(incident=incident, actor=coordinator, to_status="maatregelen")
    with pytest.raises(ValidationError) as caught:  # open aftercare blocks closing
        services.incident_transition(incident=incident, actor=coordinator, to_status="afgesloten")
    assert "aftercare" in str(caught.value)
    step = AftercareStep.objects.get(incident=incident)
    services.aftercare_cancel(
        incident=incident, step_id=step.pk, actor=coordinator, reason="Vertrokken"
    )
    closed = services.incident_transition(
        incident=incident, actor=coordinator, to_status="afgesloten"
    )
    assert closed.closed_at is not None
    with pytest.raises(ValidationError):  # reopening needs a reason
        services.incident_transition(
            incident=incident, actor=coordinator, to_status="in_behandeling"
        )
    reopened = services.incident_transition(
        incident=incident, actor=coordinator, to_status="in_behandeling", note="Nieuwe informatie"
    )
    assert reopened.closed_at is None
    history = list(
        Transition.objects.filter(incident=incident).values_list("from_status", "to_status")
    )
    assert history == [
        ("", "gemeld"),
        ("gemeld", "in_behandeling"),
        ("in_behandeling", "maatregelen"),
        ("maatregelen", "afgesloten"),
        ("afgesloten", "in_behandeling"),
    ]
    assert AuditEvent.objects.filter(object_id=str(incident.pk), action="transition").count() == 4


def test_the_history_is_append_only(world):
    entry = Transition.objects.get(incident=report(world["a"]))
    entry.note = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_edit_history(world):
    from vib.integrity import keys
    from vib.integrity.fields import seal_for

    entry = Transition.objects.get(incident=report(world["a"]))
    # A correctly sealed note, so it is the trigger that refuses, not the sealed column.
    forged = seal_for(entry.organisation_id, "transition.note", entry.incident_id, "rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        Transition.objects.filter(pk=entry.pk).update(note=forged)
    # A re-seal (ADR 0098) may change the note's ciphertext, never another column.
    with transaction.atomic():
        keys.allow_reseal()
        with pytest.raises(DatabaseError), transaction.atomic():
            Transition.objects.filter(pk=entry.pk).update(note=forged, to_status="afgesloten")


def test_victims_keep_the_group_mask_and_get_their_own_first_contact(world):
    a = world["a"]
    incident = report(a)
    coordinator = a.people["coordinator"]
    victim = services.victim_add(
        incident=incident,
        actor=coordinator,
        name="Raadslid Pietersen",
        group="volksvertegenwoordiger",
        function="raadslid",
        sick_leave_days=3,
        influence_on_decisions=True,
    )
    incident.refresh_from_db()
    assert set(incident.group_values) == {"medewerker", "volksvertegenwoordiger"}
    assert AftercareStep.objects.filter(victim=victim, kind="eerste_contact").count() == 1
    services.victim_update(
        incident=incident, victim_id=victim.pk, actor=coordinator, group="bestuurder"
    )
    incident.refresh_from_db()
    assert set(incident.group_values) == {"medewerker", "bestuurder"}
    services.victim_remove(incident=incident, victim_id=victim.pk, actor=coordinator)
    incident.refresh_from_db()
    assert incident.group_values == ["medewerker"]
    only = Victim.objects.get(incident=incident)
    with pytest.raises(ValidationError):
        services.victim_remove(incident=incident, victim_id=only.pk, actor=coordinator)


def test_children_of_another_incident_are_refused(world):
    a = world["a"]
    first, second = report(a), report(a)
    victim = Victim.objects.get(incident=second)
    with pytest.raises(ValidationError):
        services.victim_update(
            incident=first, victim_id=victim.pk, actor=a.people["coordinator"], function="x"
        )
    with pytest.raises(ValidationError):
        services.victim_update(
            incident=first, victim_id="not-a-uuid", actor=a.people["coordinator"], function="x"
        )


def test_police_report_measures_and_damage(world):
    a = world["a"]
    incident = report(a, types=["fysiek", "eigendommen"])
    coordinator = a.people["coordinator"]
    perpetrator = services.perpetrator_add(
        incident=incident, actor=coordinator, kind="bekend", category="klant", name="J. Dader"
    )
    police = services.police_report_add(
        incident=incident,
        actor=coordinator,
        kind="aangifte",
        date=timezone.localdate(),
        police_reference="PL0900-2025-123",
        vpt=True,
        employer_address=True,
        filed_by_employer=True,
    )
    assert police.outcome == codes.CaseOutcome.PENDING
    services.police_report_update(
        incident=incident,
        report_id=police.pk,
        actor=coordinator,
        outcome="strafbeschikking",
        outcome_date=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        services.police_report_update(
            incident=incident,
            report_id=police.pk,
            actor=coordinator,
            outcome_date=timezone.localdate() - timedelta(days=30),
        )
    measure = services.measure_add(
        incident=incident,
        actor=coordinator,
        kind="huisverbod",
        decided_on=timezone.localdate(),
        valid_until=timezone.localdate() + timedelta(days=180),
        perpetrator_id=perpetrator.pk,
    )
    assert measure.perpetrator == perpetrator
    with pytest.raises(ValidationError):
        services.measure_add(
            incident=incident,
            actor=coordinator,
            kind="huisverbod",
            decided_on=date(2025, 5, 1),
            valid_until=date(2025, 4, 1),
        )
    updated = services.incident_update(
        incident=incident,
        actor=coordinator,
        damage_amount=450,
        recovery_claimed=450,
        recovery_received=200,
    )
    assert updated.damage_amount == 450
    assert updated.recovery_received == 200
    with pytest.raises(ValidationError):
        services.incident_update(incident=incident, actor=coordinator, damage_amount=-1)


def test_changing_the_channel_away_from_social_media_clears_the_platform(world):
    a = world["a"]
    incident = report(a, channel="sociale_media", platform="tiktok", place_kind="online")
    assert incident.platform == "tiktok"
    updated = services.incident_update(
        incident=incident, actor=a.people["coordinator"], channel="telefoon"
    )
    assert (updated.channel, updated.platform) == ("telefoon", "")


def test_repeat_perpetrator_links_are_for_coordinators_within_the_organisation(world):
    a, b = world["a"], world["b"]
    incident = report(a)
    coordinator, manager = a.people["coordinator"], a.people["manager"]
    perpetrator = services.perpetrator_add(
        incident=incident, actor=coordinator, kind="bekend", category="burger"
    )
    with pytest.raises(ValidationError):
        services.known_perpetrator_create(
            organisation=a.organisation, actor=manager, label="Dader 1"
        )
    known = services.known_perpetrator_create(
        organisation=a.organisation, actor=coordinator, label="Dader 1"
    )
    with pytest.raises(ValidationError):
        services.known_perpetrator_create(
            organisation=a.organisation, actor=coordinator, label="dader 1"
        )
    with pytest.raises(ValidationError):
        services.perpetrator_link(
            incident=incident, perpetrator_id=perpetrator.pk, known=known, actor=manager
        )
    other = services.known_perpetrator_create(
        organisation=b.organisation, actor=b.people["coordinator"], label="Dader B"
    )
    with pytest.raises(ValidationError):
        services.perpetrator_link(
            incident=incident, perpetrator_id=perpetrator.pk, known=other, actor=coordinator
        )
    linked = services.perpetrator_link(
        incident=incident, perpetrator_id=perpetrator.pk, known=known, actor=coordinator
    )
    assert linked.known == known
