"""A reporter's rows carry the day only, deadlines stay right, and a logged-in employee logs
out before reporting (ADR 0090, 0091)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from vib.integrity import services
from vib.integrity.deadlines import acknowledgement_due, feedback_due
from vib.integrity.models import Attachment, Case, CaseMember, CaseStatusChange, Message

from .helpers import open_mailbox, pdf_file, submit

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def _midnight(stamp: datetime) -> bool:
    local = stamp.astimezone(AMS)
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def test_a_report_late_in_the_evening_carries_its_day_and_keeps_its_deadlines(world):
    with time_machine.travel(datetime(2024, 1, 31, 23, 30, 15, tzinfo=AMS), tick=False):
        case, _code = services.report_submit(
            organisation=world.a,
            channel="anonymous",
            summary="Iets ernstigs.",
            files=[pdf_file()],
        )
    case = Case.objects.get(pk=case.pk)
    assert case.received_at.astimezone(AMS).date() == date(2024, 1, 31)
    for stamp in (
        case.received_at,
        case.created_at,
        case.updated_at,
        *CaseStatusChange.objects.filter(case=case).values_list("at", flat=True),
        *CaseMember.objects.filter(case=case).values_list("added_at", flat=True),
        *Attachment.objects.filter(case=case).values_list("created_at", flat=True),
    ):
        assert _midnight(stamp), stamp
    # The same deadlines as from the precise time (tests/integrity/test_deadlines_…).
    assert acknowledgement_due(case.received_at) == date(2024, 2, 7)
    assert feedback_due(case.received_at, None) == date(2024, 5, 7)


def test_the_reporters_answer_sorts_after_the_question_without_its_own_time(world):
    officer = world.people["officer_a"]
    case, _code = services.report_submit(organisation=world.a, channel="anonymous", summary="X.")
    question = services.message_add(
        case=case, actor=officer, body="Wanneer?", to_reporter=True, is_question=True
    )
    answer = services.mailbox_message_add(case=case, body="Vorige week.")
    again = services.mailbox_message_add(case=case, body="En nog iets.")
    stored = {m.pk: m.created_at for m in Message.objects.filter(case=case)}
    assert stored[answer.pk] > stored[question.pk]
    assert (stored[answer.pk] - stored[question.pk]).total_seconds() * 1e6 == 1
    assert stored[again.pk] > stored[answer.pk]
    assert list(case.messages.values_list("pk", flat=True)) == [question.pk, answer.pk, again.pk]


def test_a_logged_in_employee_is_asked_to_log_out_and_nothing_posted_is_taken(world, client):
    client.force_login(world.people["colleague_a"])
    page = client.get(f"/integriteit/melden/{world.a.id}")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'data-testid="logged-in-notice"' in content
    assert 'name="summary"' not in content
    assert 'name="next" value="/integriteit/melden/' in content
    response, code = submit(client, world.a)
    assert response.status_code == 403
    assert code is None
    assert not Case.objects.exists()
    assert client.get("/integriteit/brievenbus").status_code == 200  # the notice, not the form
    assert 'name="code"' not in client.get("/integriteit/brievenbus").content.decode()
    # Logging out (the page's button) leads back to the form.
    out = client.post("/uitloggen", {"next": f"/integriteit/melden/{world.a.id}"})
    assert out["Location"] == f"/integriteit/melden/{world.a.id}"
    assert 'name="summary"' in client.get(out["Location"]).content.decode()
    response, code = submit(client, world.a)
    assert response.status_code == 200
    assert code is not None
    assert open_mailbox(client, code).status_code == 302
