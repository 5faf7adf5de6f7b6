"""Deadlines, reminders and retention, with frozen time across month ends and leap years."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from vib.integrity import codes, report, services, tasks
from vib.integrity.deadlines import (
    acknowledgement_due,
    add_months,
    deadlines_of,
    feedback_due,
)
from vib.integrity.models import Case, DestructionRecord, IntegritySettings, ReportFact

AMS = ZoneInfo("Europe/Amsterdam")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # leap year
        (date(2022, 11, 30), 3, date(2023, 2, 28)),
        (date(2024, 11, 29), 3, date(2025, 2, 28)),
        (date(2023, 10, 31), 4, date(2024, 2, 29)),
        (date(2024, 12, 15), 3, date(2025, 3, 15)),  # across the year end
    ],
)
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_feedback_is_never_later_than_three_months_after_day_seven(day):
    received = datetime(day.year, day.month, day.day, 12, tzinfo=AMS)
    due = feedback_due(received, None)
    assert (due - acknowledgement_due(received)).days in range(89, 93)


def test_deadlines_in_local_time_at_the_day_boundary():
    # 23:30 in Amsterdam on 31 January is already 1 February in UTC minus… no: 22:30 UTC.
    received = at(2024, 1, 31, 23, 30)
    assert acknowledgement_due(received) == date(2024, 2, 7)
    assert feedback_due(received, None) == date(2024, 5, 7)
    # Acknowledged early: three months from the acknowledgement.
    assert feedback_due(at(2023, 11, 25), at(2023, 11, 30, 9)) == date(2024, 2, 29)
    # Acknowledged late (day 10): the period still starts at day 7.
    assert feedback_due(at(2024, 2, 20), at(2024, 3, 1)) == date(2024, 5, 27)


@pytest.mark.django_db
def test_reminders_are_sent_once_and_overdue_cases_flagged(
    world, client, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(2024, 2, 26, 10), tick=False):  # leap-year February
        case, _code = services.report_submit(
            organisation=world.a, channel="anonymous", summary="Iets ernstigs."
        )
    officer = world.people["officer_a"]
    [ack, feedback] = deadlines_of(case)
    assert ack.due == date(2024, 3, 4)
    assert feedback.due == date(2024, 6, 4)

    with time_machine.travel(at(2024, 2, 28, 8), tick=False):
        assert services.deadline_reminders_send() == 0  # 5 days left: not yet
    with time_machine.travel(at(2024, 3, 2, 8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.deadline_reminders.enqueue().return_value == 1  # the background task
        assert services.deadline_reminders_send() == 0  # once only
        assert mail.outbox[-1].to == [officer.email]
        assert case.reference in mail.outbox[-1].subject
        assert "Iets ernstigs" not in mail.outbox[-1].body  # no content in mail
    with time_machine.travel(at(2024, 3, 5, 8), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.deadline_reminders_send() == 1  # overdue now
        client.force_login(officer)
        page = client.get("/integriteit/").content.decode()
        assert 'data-testid="overdue"' in page
        assert case.reference in page
        services.case_transition(case=Case.objects.get(), actor=officer, target="acknowledged")
        page = client.get("/integriteit/").content.decode()
        assert 'data-testid="overdue"' not in page
    # The feedback deadline: reminded two weeks ahead, across the month end of May.
    with (
        time_machine.travel(at(2024, 5, 31, 8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.deadline_reminders_send() == 1
    assert len(mail.outbox) == 3


def _close(case, officer, *, finding: str):
    t = services.case_transition
    case = t(case=case, actor=officer, target="acknowledged")
    case = t(case=case, actor=officer, target="triage")
    case = services.case_classify(
        case=case, actor=officer, triage="inquiry", investigation="internal", category=None
    )
    case = t(case=case, actor=officer, target="investigation")
    case = services.case_classify(case=case, actor=officer, finding=finding)
    case = t(case=case, actor=officer, target="finding")
    if finding == codes.Finding.FOUNDED:
        case = t(case=case, actor=officer, target="measures")
        measure = services.measure_type_create(
            organisation=case.organisation, name="Berisping", category="reprimand"
        )
        services.measure_add(case=case, actor=officer, measure=measure)
    return t(case=case, actor=officer, target="closed")


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["delete", "anonymise"])
def test_retention_destroys_expired_cases_and_keeps_the_counts(world, action):
    officer = world.people["officer_a"]
    IntegritySettings.objects.create(
        organisation=world.a, retention_unfounded_months=24, retention_action=action
    )
    with time_machine.travel(at(2024, 2, 29, 11), tick=False):
        case, _code = services.report_submit(
            organisation=world.a, channel="anonymous", summary="Oud verhaal."
        )
        services.message_add(case=case, actor=officer, body="Notitie.")
        case = _close(case, officer, finding="unfounded")
        kept, _code = services.report_submit(
            organisation=world.a, channel="anonymous", summary="Nog open."
        )
    assert case.retain_until == date(2026, 2, 28)  # 29 Feb + 24 months
    before = report.build(year=2024, organisations=None, title="t")["tables"][0].rows
    with time_machine.travel(at(2026, 2, 28, 23), tick=False):
        assert services.retention_run() == []  # the last day is still kept
    with time_machine.travel(at(2026, 3, 1, 2), tick=False):
        assert tasks.retention.enqueue().return_value == 1
        assert services.retention_run() == []  # idempotent
    record = DestructionRecord.objects.get()
    assert record.case_reference == case.reference
    assert record.action == action
    assert record.outcome == "unfounded"
    assert record.retention_months == 24
    if action == "delete":
        assert not Case.objects.filter(pk=case.pk).exists()
    else:
        wiped = Case.objects.get(pk=case.pk)
        assert wiped.summary_ct == ""
        assert wiped.mailbox_index is None
        assert not wiped.messages.exists()
        assert wiped.anonymised_at is not None
    assert Case.objects.filter(pk=kept.pk).exists()
    assert ReportFact.objects.count() == 2
    after = report.build(year=2024, organisations=None, title="t")["tables"][0].rows
    assert [str(c) for _l, cells in before for c in cells] == [
        str(c) for _l, cells in after for c in cells
    ]


@pytest.mark.django_db
def test_operations_contract_schedule_and_retention(world):
    from vib.integrity import retention, schedule

    assert [job.task for job in schedule.JOBS] == ["vib.integrity.tasks.deadline_reminders"]
    officer = world.people["officer_a"]
    with time_machine.travel(at(2024, 3, 1, 9), tick=False):
        case, _code = services.report_submit(
            organisation=world.a, channel="anonymous", summary="Contract."
        )
        _close(case, officer, finding="not_established")
    nothing = retention.apply_retention(today=date(2024, 3, 2))
    assert [(d.object_type, d.count) for d in nothing] == [("integrity.case", 0)]
    done = retention.apply_retention(today=date(2026, 3, 2))
    assert [(d.count, d.organisation_id) for d in done] == [(1, str(world.a.id))]
    assert not Case.objects.exists()
    assert ReportFact.objects.get().finding == "not_established"


@pytest.mark.django_db
def test_the_case_list_puts_passed_deadlines_first_and_marks_the_one_passed(world, client):
    officer = world.people["officer_a"]
    made = {}
    for key, when in (
        ("a", at(2024, 1, 1, 9)),
        ("b", at(2024, 2, 20, 9)),
        ("c", at(2024, 3, 4, 9)),
    ):
        with time_machine.travel(when, tick=False):
            made[key], _code = services.report_submit(
                organisation=world.a, channel="anonymous", summary=f"Melding {key}."
            )
    with time_machine.travel(at(2024, 1, 3, 9), tick=False):
        services.case_transition(case=made["a"], actor=officer, target="acknowledged")
    with time_machine.travel(at(2024, 3, 5, 9), tick=False):
        client.force_login(officer)
        page = client.get("/integriteit/zaken").content.decode()
    # B's acknowledgement has passed; C's is due on 11 March; A's feedback not before April.
    # (Newest first, as before, would be C, B, A.)
    refs = [made[k].reference for k in ("b", "c", "a")]
    assert sorted(refs, key=page.find) == refs
    assert 'data-testid="list-order"' in page
    row_b = page[page.find(made["b"].reference) :].split("</tr>")[0]
    # "te laat" stands beside the acknowledgement, not after the feedback deadline.
    assert row_b.find('data-testid="overdue"') < row_b.find("Terugkoppeling")
    assert row_b.count('data-testid="overdue"') == 1
