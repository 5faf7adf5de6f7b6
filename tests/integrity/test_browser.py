"""The anonymous mailbox in a real browser (Playwright driving Debian's Chromium).

As a new user would: an anonymous reporter submits a report with a file, receives the receipt,
comes back with it in a fresh browser, reads the acknowledgement and answers a question; the
handler sees the conversation; a colleague without a role in the case gets 404 everywhere; a
wrong code gets a neutral error and is throttled.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.flows import confirmed, reload_makes_nothing_twice, sign_in

from vib.integrity import services
from vib.integrity.models import Case, Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in(browser: Any, live_server: Any, user: Any) -> Any:
    """A browser context with the user's session (second factor confirmed)."""
    context = browser.new_context(locale="en-GB")
    sign_in(context, live_server.url, user.email)
    return context


def test_anonymous_mailbox_end_to_end(browser, live_server, world, tmp_path):
    evidence = tmp_path / "bewijs.pdf"
    evidence.write_bytes(b"%PDF-1.4 demo evidence")

    # 1. The reporter submits an anonymous report with a file.
    reporter = browser.new_context(locale="en-GB")
    page = reporter.new_page()
    page.goto(f"{live_server.url}/integriteit/melden")
    page.fill("#zoek", "Testgemeente A")
    page.click("form[role=search] button")
    page.click("text=Testgemeente A")
    page.check("input[name=channel][value=anonymous]")
    page.fill("textarea[name=summary]", "De teamleider laat facturen dubbel uitbetalen.")
    page.set_input_files("input[name=files]", str(evidence))
    page.click("button[type=submit].utrecht-button--primary-action")
    expect(page.locator("[data-testid=receipt-code]")).to_have_count(1)
    code = page.text_content("[data-testid=receipt-code]").strip()
    assert len(code.replace("-", "")) == 20
    assert page.locator("[role=alert]").count() >= 1  # impossible to miss
    assert not [c for c in reporter.cookies() if c["name"] == "sessionid"]
    reload_makes_nothing_twice(page, Case.objects.count)  # the receipt page, reloaded
    reporter.close()

    # 2. The handler acknowledges and asks a question.
    case = Case.objects.get()
    officer = world.people["officer_a"]
    case = services.case_transition(case=case, actor=officer, target="acknowledged")
    services.message_add(
        case=case,
        actor=officer,
        body="In welke maand gebeurde dit?",
        to_reporter=True,
        is_question=True,
    )

    # 3. The reporter returns in a fresh browser, reads and answers.
    fresh = browser.new_context(locale="en-GB")
    page = fresh.new_page()
    page.goto(f"{live_server.url}/integriteit/brievenbus")
    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit].utrecht-button--primary-action")
    page.wait_for_url("**/brievenbus/berichten")
    body = page.text_content("main")
    assert "We have received your report" in body or "ontvangen" in body
    assert "In welke maand gebeurde dit?" in body
    page.fill("textarea[name=body]", "In februari, twee keer.")
    page.click("text=Bericht versturen")
    page.wait_for_url("**verzonden=1")
    assert "In februari, twee keer." in page.text_content("main")
    fresh.close()

    # 4. The handler sees the conversation, and the file.
    handler = logged_in(browser, live_server, officer)
    page = handler.new_page()
    page.goto(f"{live_server.url}/integriteit/zaken/{case.id}")
    main = page.text_content("main")
    assert "In februari, twee keer." in main
    assert "In welke maand gebeurde dit?" in main
    assert "bewijs.pdf" in main
    # A note, then a status change: each ends in a confirmation; a reload adds nothing.
    page.fill(
        f"form[action='/integriteit/zaken/{case.id}/berichten'] textarea", "Dossier aangelegd."
    )
    with page.expect_navigation():
        page.click(f"form[action='/integriteit/zaken/{case.id}/berichten'] button[type=submit]")
    confirmed(page)
    reload_makes_nothing_twice(page, Message.objects.count)
    status = f"form[action='/integriteit/zaken/{case.id}/status']"
    before = Case.objects.get().status
    page.select_option(f"{status} select", index=0)
    with page.expect_navigation():
        page.click(f"{status} button[type=submit]")
    confirmed(page)
    assert Case.objects.get().status != before
    handler.close()

    # 5. A colleague of the same organisation without a role in the case: 404 everywhere.
    colleague = logged_in(browser, live_server, world.people["investigator_a"])
    page = colleague.new_page()
    attachment = case.attachments.get()
    for path in (
        f"/integriteit/zaken/{case.id}",
        f"/integriteit/zaken/{case.id}/bestanden/{attachment.id}",
        f"/integriteit/advies/{case.id}",
        f"/api/v1/integriteitszaken/{case.id}",
        "/integriteit/zaken",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
    colleague.close()

    # 6. A wrong code: a neutral error, then throttled. The limits count in fixed windows of
    # 15 minutes; the clock stands still so that the five failures fall in one window even
    # when the test runs across a window's end (it once did, at 23:45), as in
    # test_mailbox_flow.py.
    with time_machine.travel(timezone.now(), tick=False):
        stranger = browser.new_context(locale="en-GB")
        page = stranger.new_page()
        messages = set()
        for _attempt in range(5):
            page.goto(f"{live_server.url}/integriteit/brievenbus")
            page.fill("input[name=code]", "ABCD-EFGH-JKMN-PQRS-TVWX")
            with page.expect_navigation():
                page.click("button[type=submit].utrecht-button--primary-action")
            messages.add(page.text_content("[role=alert]").strip())
            assert page.input_value("input[name=code]") == ""  # not echoed back
        assert len(messages) == 1
        page.goto(f"{live_server.url}/integriteit/brievenbus")
        page.fill("input[name=code]", code)
        page.click("button[type=submit].utrecht-button--primary-action")
        expect(page.locator("[data-testid=wait]")).to_be_visible()  # a delay, not a refusal
        stranger.close()
