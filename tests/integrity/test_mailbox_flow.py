"""The anonymous two-way mailbox end to end through the web (test client)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from vib.access.integrity import access_case
from vib.integrity import ratelimit, services
from vib.integrity.models import Attachment, Case, Message

from .helpers import open_mailbox, pdf_file, submit

pytestmark = pytest.mark.django_db


def test_anonymous_report_with_file_and_conversation(world, client):
    response, code = submit(client, world.a, files=[pdf_file()])
    assert response.status_code == 200, response.content.decode()[:2000]
    assert code
    assert len(code.replace("-", "")) == 20
    assert response["Cache-Control"].startswith("no-store")
    assert "sessionid" not in response.cookies  # nothing server-side about the reporter
    case = Case.objects.get()
    assert case.channel == "anonymous"
    assert case.identity_ct == ""
    assert Attachment.objects.filter(case=case, from_reporter=True).count() == 1

    # The integrity officer of A is on the team, acknowledges and asks a question.
    officer = world.people["officer_a"]
    case = services.case_transition(case=case, actor=officer, target="acknowledged")
    services.message_add(
        case=case, actor=officer, body="Wanneer was dit?", to_reporter=True, is_question=True
    )
    services.message_add(case=case, actor=officer, body="Interne notitie: navragen.")

    # The reporter comes back with the code in a fresh client.
    client.cookies.clear()
    login = open_mailbox(client, code.lower().replace("-", " "))
    assert login.status_code == 302
    page = client.get("/integriteit/brievenbus/berichten").content.decode()
    assert "We have received your report" in page or "ontvangen" in page
    assert "Wanneer was dit?" in page
    assert "Interne notitie" not in page  # internal notes stay hidden
    # The reporter reads back their own report, as sent.
    assert 'data-testid="own-report">Er wordt geknoeid met declaraties op afdeling X.' in page
    answer = client.post("/integriteit/brievenbus/berichten", {"body": "In maart, drie keer."})
    assert answer.status_code == 302
    assert Message.objects.filter(case=case, author_kind="reporter").count() == 1

    # The reporter's own file can be downloaded back; the handler sees the whole conversation.
    attachment = Attachment.objects.get(case=case)
    download = client.get(f"/integriteit/brievenbus/bestanden/{attachment.id}")
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    client.force_login(officer)
    detail = client.get(f"/integriteit/zaken/{case.id}").content.decode()
    assert "In maart, drie keer." in detail
    assert "Interne notitie" in detail
    assert "bewijs.pdf" in detail


def test_colleague_without_a_role_in_the_case_gets_404_everywhere(world, client):
    _response, _code = submit(client, world.a)
    case = Case.objects.get()
    attachment_less = [
        f"/integriteit/zaken/{case.id}",
        f"/integriteit/zaken/{case.id}/bestanden/{case.id}",
        "/integriteit/zaken",
        "/integriteit/advies",
        f"/integriteit/advies/{case.id}",
        "/integriteit/jaarverslag",
    ]
    posts = [
        f"/integriteit/zaken/{case.id}/berichten",
        f"/integriteit/zaken/{case.id}/status",
        f"/integriteit/zaken/{case.id}/classificatie",
        f"/integriteit/zaken/{case.id}/identiteit",
        f"/integriteit/zaken/{case.id}/doorsturen",
        f"/integriteit/zaken/{case.id}/maatregelen",
    ]
    for key in ("colleague_a", "manager_a", "admin_a", "investigator_a", "officer_b"):
        client.force_login(world.people[key])
        for url in attachment_less:
            if key == "officer_b" and url in {"/integriteit/zaken", "/integriteit/jaarverslag"}:
                continue  # B's own list and report, which do not show A's case
            assert client.get(url).status_code == 404, (key, url)
        if key == "officer_b":
            assert str(case.id) not in client.get("/integriteit/zaken").content.decode()
        for url in posts:
            assert client.post(url, {"body": "x", "target": "acknowledged"}).status_code == 404
        client.logout()
    assert Message.objects.count() == 0
    assert Case.objects.get().status == "received"


# The counters live in fixed windows (vib.core.ratelimit): at the start of one, the wait below
# cannot carry the test into the next window, which would reset them.
@time_machine.travel(datetime(2026, 3, 2, 10, 0, 1, tzinfo=UTC), tick=False)
def test_wrong_code_gets_a_neutral_error_and_is_throttled(world, client):
    _response, code = submit(client, world.a)
    wrong = "ABCD-EFGH-JKMN-PQRS-TVWX"
    first = open_mailbox(client, wrong)
    malformed = open_mailbox(client, "hello")
    assert first.status_code == malformed.status_code == 400
    assert first.content.decode().count("cannot open a mailbox") + first.content.decode().count(
        "brievenbus"
    )
    neutral = [r.context["error"] for r in (first, malformed)]
    assert neutral[0] == neutral[1]
    assert wrong not in first.content.decode()  # never echoed back
    for _ in range(3):
        open_mailbox(client, wrong)
    throttled = open_mailbox(client, code)  # even the right code waits now…
    assert throttled.status_code == 429
    assert 'data-testid="wait"' in throttled.content.decode()
    token = throttled.context["wait_token"]
    # …but is not refused: after the wait it opens the mailbox (ADR 0092).
    early = client.post("/integriteit/brievenbus", {"code": code, "wacht": token})
    assert early.status_code == 429
    assert early.context["wait_token"] == token  # the same token keeps ripening
    with time_machine.travel(timezone.now() + timedelta(seconds=ratelimit.WAIT_SECONDS + 1)):
        opened = client.post("/integriteit/brievenbus", {"code": code, "wacht": token})
        assert opened.status_code == 302
        again = client.post("/integriteit/brievenbus", {"code": code, "wacht": token})
        assert again.status_code == 429  # a token is spent once
    # Another client is not affected by this one's mistakes.
    assert open_mailbox(client, code, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_bad_intake_input_writes_nothing(world, client):
    response, code = submit(client, world.a, summary="  ")
    assert response.status_code == 400
    assert code is None
    response, code = submit(client, world.a, name="Jan Jansen")  # anonymous with a name
    assert response.status_code == 400
    assert code is None
    exe = pdf_file("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")  # the browser says PDF
    response, code = submit(client, world.a, files=[exe])
    assert response.status_code == 400
    assert code is None
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_intake_is_rate_limited_per_client_and_organisation(world, client, settings):
    for _ in range(ratelimit.INTAKE_PER_CLIENT.count):
        assert submit(client, world.a)[0].status_code == 200
    blocked, _code = submit(client, world.a)
    assert blocked.status_code == 429
    assert Case.objects.count() == ratelimit.INTAKE_PER_CLIENT.count
    assert "Er wordt geknoeid" in blocked.content.decode()  # what was typed is kept
    token = blocked.context["wait_token"]
    with time_machine.travel(timezone.now() + timedelta(seconds=ratelimit.WAIT_SECONDS + 1)):
        late, late_code = submit(client, world.a, wacht=token)  # a delay, not a refusal
    assert late.status_code == 200
    assert late_code is not None
    # Another address may still report (until the organisation's limit).
    other = client.post(
        f"/integriteit/melden/{world.a.id}",
        {"case_type": "report", "channel": "anonymous", "summary": "Nog een melding."},
        REMOTE_ADDR="198.51.100.20",
    )
    assert other.status_code == 303  # to the receipt page


def test_channel_not_accepted_by_the_organisation(world, client):
    officer = world.people["officer_a"]
    services.settings_update(organisation=world.a, actor=officer, accept_anonymous=False)
    response, code = submit(client, world.a)
    assert response.status_code == 400
    assert code is None


def test_identity_is_revealed_only_to_the_designated_handler_with_a_reason(world, client):
    response, _code = submit(
        client, world.a, channel="confidential", name="Jan Vertrouwelijk", email="jan@example.nl"
    )
    assert response.status_code == 200
    case = Case.objects.get()
    officer = world.people["officer_a"]
    client.force_login(officer)
    page = client.get(f"/integriteit/zaken/{case.id}").content.decode()
    assert "Jan Vertrouwelijk" not in page
    short = client.post(f"/integriteit/zaken/{case.id}/identiteit", {"reason": "kort"})
    assert short.status_code == 400
    assert "Jan Vertrouwelijk" not in short.content.decode()
    shown = client.post(
        f"/integriteit/zaken/{case.id}/identiteit",
        {"reason": "Nodig om de melder uit te nodigen voor een gesprek."},
    )
    assert "Jan Vertrouwelijk" in shown.content.decode()
    assert case.disclosures.filter(kind="reveal").count() == 1
    # An investigator on the team (not designated) may not.
    investigator = world.people["investigator_a"]
    services.team_add(case=case, actor=officer, member=investigator, role="investigator")
    client.force_login(investigator)
    refused = client.post(
        f"/integriteit/zaken/{case.id}/identiteit",
        {"reason": "Ik wil graag weten wie het is."},
    )
    assert refused.status_code == 400
    assert "Jan Vertrouwelijk" not in refused.content.decode()
    assert access_case(user=investigator, id=case.id) == case
