"""Aftercare deadlines with frozen time: 72 hours, 2 weeks, 6 to 8 weeks, a repeated offer, and
the daily reminder e-mail (Django's locmem outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from vib.incidents import aftercare, codes, selectors, services
from vib.incidents.models import AftercareStep
from vib.incidents.tasks import send_aftercare_reminders
from vib.operations.models import TaskEffect

from .conftest import aware, report

pytestmark = pytest.mark.django_db

MONDAY_9 = aware(2026, 3, 2, 9, 0)


def _open(incident):
    return list(
        AftercareStep.objects.filter(
            incident=incident, done_at__isnull=True, cancelled_at__isnull=True
        )
        .order_by("due_at")
        .values_list("kind", "due_from", "due_at")
    )


def test_the_deadline_rules():
    start = MONDAY_9
    assert aftercare.first_contact(start).due_at == aware(2026, 3, 5, 9, 0)
    accepted = aftercare.after_step(kind="eerste_contact", outcome="aanvaard", done_at=start)
    assert [(d.kind, d.due_from, d.due_at) for d in accepted] == [
        ("opvolging_2_weken", aware(2026, 3, 14, 9, 0), aware(2026, 3, 16, 9, 0)),
        # Exact durations: across the switch to summer time the wall clock shows 10:00.
        ("opvolging_6_8_weken", aware(2026, 4, 13, 10, 0), aware(2026, 4, 27, 10, 0)),
    ]
    declined = aftercare.after_step(kind="eerste_contact", outcome="afgeslagen", done_at=start)
    assert [(d.kind, d.due_at) for d in declined] == [("herhaald_aanbod", aware(2026, 3, 16, 9, 0))]
    assert aftercare.after_step(kind="herhaald_aanbod", outcome="afgeslagen", done_at=start) == []
    assert aftercare.after_step(kind="opvolging_2_weken", outcome="aanvaard", done_at=start) == []


def test_first_contact_is_due_72_hours_after_the_report_and_then_overdue(world):
    a = world["a"]
    with time_machine.travel(MONDAY_9, tick=False):
        incident = report(a)
    steps = AftercareStep.objects.filter(incident=incident)
    handler_steps = steps.filter(organisation=a.organisation)
    with time_machine.travel(MONDAY_9 + timedelta(hours=71), tick=False):
        work = selectors.aftercare_worklist(handler_steps, _incidents(a))
        assert (work.overdue_count, work.due_count) == (0, 1)
    with time_machine.travel(MONDAY_9 + timedelta(hours=73), tick=False):
        work = selectors.aftercare_worklist(handler_steps, _incidents(a))
        assert (work.overdue_count, work.due_count) == (1, 0)
        assert work.overdue[0].incident == incident


def _incidents(tenant):
    from vib.incidents.models import Incident

    return Incident.objects.filter(organisation=tenant.organisation)


def test_an_accepted_first_contact_schedules_both_follow_ups(world):
    a = world["a"]
    coordinator = a.people["coordinator"]
    with time_machine.travel(MONDAY_9, tick=False):
        incident = report(a)
    step = AftercareStep.objects.get(incident=incident)
    with time_machine.travel(MONDAY_9 + timedelta(days=1), tick=False):
        services.aftercare_record(
            incident=incident, step_id=step.pk, actor=coordinator, outcome="aanvaard", note="Gebeld"
        )
    contact = MONDAY_9 + timedelta(days=1)
    assert _open(incident) == [
        ("opvolging_2_weken", contact + timedelta(days=12), contact + timedelta(days=14)),
        ("opvolging_6_8_weken", contact + timedelta(weeks=6), contact + timedelta(weeks=8)),
    ]
    with pytest.raises(ValidationError, match="already been recorded"):
        services.aftercare_record(
            incident=incident, step_id=step.pk, actor=coordinator, outcome="aanvaard"
        )


def test_a_declined_offer_is_repeated_after_two_weeks_once(world):
    a = world["a"]
    coordinator = a.people["coordinator"]
    with time_machine.travel(MONDAY_9, tick=False):
        incident = report(a)
        first = AftercareStep.objects.get(incident=incident)
        services.aftercare_record(
            incident=incident, step_id=first.pk, actor=coordinator, outcome="afgeslagen"
        )
    assert _open(incident) == [
        ("herhaald_aanbod", MONDAY_9 + timedelta(days=12), MONDAY_9 + timedelta(days=14))
    ]
    repeat = AftercareStep.objects.get(incident=incident, kind="herhaald_aanbod")
    with time_machine.travel(MONDAY_9 + timedelta(days=15), tick=False):
        services.aftercare_record(
            incident=incident, step_id=repeat.pk, actor=coordinator, outcome="afgeslagen"
        )
    assert _open(incident) == []


def test_a_referral_needs_a_destination_and_counts_as_contact(world):
    a = world["a"]
    coordinator = a.people["coordinator"]
    incident = report(a)
    step = AftercareStep.objects.get(incident=incident)
    with pytest.raises(ValidationError, match="required"):
        services.aftercare_record(
            incident=incident, step_id=step.pk, actor=coordinator, outcome="verwezen"
        )
    following = services.aftercare_record(
        incident=incident,
        step_id=step.pk,
        actor=coordinator,
        outcome="verwezen",
        referral_to="psychotrauma",
    )
    assert [s.kind for s in following] == ["opvolging_2_weken", "opvolging_6_8_weken"]


def test_the_daily_reminder_mails_coordinators_once_a_day_without_case_details(world, settings):
    settings.VIB_SITE_URL = "https://vib.example.nl"
    a, b = world["a"], world["b"]
    with time_machine.travel(MONDAY_9, tick=False):
        overdue = report(a, description="Zeer vertrouwelijke omschrijving")
    with time_machine.travel(MONDAY_9 + timedelta(days=3, hours=12), tick=False):
        due = report(a)
        report(b)  # B's coordinator gets B's reminder only
        mail.outbox.clear()
        sent = send_aftercare_reminders.enqueue().return_value
        assert sent == 2
        by_recipient = {message.to[0]: message for message in mail.outbox}
        assert set(by_recipient) == {"coordinator@gm9801.test", "coordinator@gm9802.test"}
        message = by_recipient["coordinator@gm9801.test"]
        assert "1 verlopen, 1 te doen" in message.subject  # mail goes out in Dutch
        assert overdue.reference in message.body
        assert due.reference in message.body
        assert "https://vib.example.nl/incidenten/" in message.body
        assert "vertrouwelijke" not in message.body
        assert "Employee" not in message.body  # no names
        # A second run the same day sends nothing more.
        mail.outbox.clear()
        assert send_aftercare_reminders.enqueue().return_value == 0
        assert mail.outbox == []
    with time_machine.travel(MONDAY_9 + timedelta(days=4, hours=12), tick=False):
        call_command("incidents", "remind", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert len(mail.outbox) == 2
    assert TaskEffect.objects.filter(key__startswith="incidents.reminder:").count() == 4


def test_no_reminder_when_nothing_is_due(world):
    with time_machine.travel(MONDAY_9, tick=False):
        incident = report(world["a"])
        step = AftercareStep.objects.get(incident=incident)
        services.aftercare_record(
            incident=incident,
            step_id=step.pk,
            actor=world["a"].people["coordinator"],
            outcome="aanvaard",
        )
    with time_machine.travel(MONDAY_9 + timedelta(days=5), tick=False):
        mail.outbox.clear()
        assert send_aftercare_reminders.call() == 0
        assert mail.outbox == []
    with time_machine.travel(MONDAY_9 + timedelta(days=13), tick=False):
        assert send_aftercare_reminders.call() == 1  # the 2-week follow-up opens


def test_coordinators_hear_of_a_new_report_after_the_commit(
    world, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(world["a"], description="Details die niet in de mail horen")
    (message,) = mail.outbox
    assert message.to == ["coordinator@gm9801.test"]
    assert incident.reference in message.subject
    assert "Details" not in message.body


def test_cancelling_needs_a_reason(world):
    a = world["a"]
    incident = report(a)
    step = AftercareStep.objects.get(incident=incident)
    with pytest.raises(ValidationError, match="Say why"):
        services.aftercare_cancel(
            incident=incident, step_id=step.pk, actor=a.people["coordinator"], reason=" "
        )
    services.aftercare_cancel(
        incident=incident, step_id=step.pk, actor=a.people["coordinator"], reason="Uit dienst"
    )
    assert _open(incident) == []
    assert AftercareStep.objects.get(pk=step.pk).kind == codes.AftercareKind.FIRST_CONTACT


def test_the_reporter_sees_the_aftercare_offered_but_not_the_notes(world, client):
    a = world["a"]
    incident = report(a)
    step = AftercareStep.objects.get(incident=incident)
    services.aftercare_record(
        incident=incident,
        step_id=step.pk,
        actor=a.people["coordinator"],
        outcome="aanvaard",
        note="Interne notitie over het gesprek",
    )
    client.force_login(a.people["employee"])
    page = client.get(f"/incidenten/{incident.pk}").content.decode()
    assert 'data-testid="own-aftercare"' in page
    listed = page.split('data-testid="own-aftercare"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 3  # the first contact, done; two follow-ups planned
    assert str(codes.AftercareOutcome.ACCEPTED.label) in listed
    assert "Interne notitie" not in page
