"""A researcher runs a wave end to end in a real browser; a respondent answers on a phone.

The invitations go through Django's SMTP backend to a real SMTP server (aiosmtpd) started on
a free local port. Marked ``browser``; Chromium is Debian's.
"""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.axe import violations as _axe
from tests.browser.flows import confirmed, reload_makes_nothing_twice

from vib.surveys.models import Invitation, Wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[Sink]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    try:
        yield sink
    finally:
        controller.stop()


def _answer_page(page: Any) -> None:
    """Answer every question on the page: 'threats' for the A&G question, else the first."""
    if page.locator("input[name=ag_types]").count():
        page.get_by_label("Threats", exact=True).check()
    seen: set[str] = set()
    for box in page.locator("input[type=radio], input[type=checkbox]").all():
        name = box.get_attribute("name")
        if name in seen or name == "ag_types":
            continue
        seen.add(name)
        box.check()
    for field in page.locator("input[inputmode=numeric]").all():
        field.fill("2")


def test_a_wave_from_invitation_to_the_dashboard(live_server, browser, smtp):
    from tests import demo_snapshot

    from vib.core.demo import demo_password

    demo_snapshot.demo()
    researcher = "monitor@demo.vib.nl"
    respondent = "raadslid@demo.vib.nl"

    # The researcher logs in and creates a wave from the demo population.
    english = [{"name": "django_language", "value": "en", "url": live_server.url}]
    desk = browser.new_context(locale="en-GB")
    desk.add_cookies(english)
    page = desk.new_page()
    page.goto(f"{live_server.url}/inloggen")
    page.get_by_label("E-mail address").fill(researcher)
    page.get_by_label("Password").fill(demo_password(researcher))
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/monitor/")
    page.get_by_role("link", name="New wave").click()
    page.get_by_label("Title").fill("Monitor 2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Create wave").click()
    confirmed(page)
    reload_makes_nothing_twice(page, Wave.objects.count)
    with page.expect_navigation():
        page.get_by_role("button", name="Build the frame from the platform").click()
    assert "added to the frame" in confirmed(page)
    reload_makes_nothing_twice(page, Invitation.objects.count)
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitations").click()
    assert "Invitations are being sent" in confirmed(page)
    dashboard = page.url
    assert _axe(page) == []

    # The invitation arrived at the SMTP server; it holds the personal link.
    mail = next(m for m in smtp.messages if m["To"] == respondent)
    body = mail.get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/monitor/antwoorden/[A-Za-z0-9_-]+", body).group(0)

    # On a phone: start, answer two pages, stop halfway.
    phone = browser.new_context(locale="en-GB", **PHONE)
    phone.add_cookies(english)
    p = phone.new_page()
    p.goto(link)
    with p.expect_navigation():
        p.get_by_role("button", name="Start").click()
    for _ in range(2):
        _answer_page(p)
        with p.expect_navigation():  # axe must not run on the page being left
            p.get_by_role("button", name="Next").click()
    assert _axe(p) == []
    # Keyboard only: the first choice of this page, chosen with the space bar.
    first = p.locator("input[type=radio], input[type=checkbox]").first
    first.focus()
    p.keyboard.press("Space")
    assert first.is_checked()
    p.get_by_role("button", name="Save and continue later").click()
    expect(p.get_by_role("heading", name="Your answers are saved")).to_be_visible()
    phone.close()

    # Later, on the phone again: the link resumes where it stopped, then finish.
    phone = browser.new_context(locale="en-GB", **PHONE)
    phone.add_cookies(english)
    p = phone.new_page()
    p.goto(link)
    assert "Welcome back" in p.content()
    for _ in range(12):
        _answer_page(p)
        send = p.get_by_role("button", name="Send answers")
        if send.count():
            send.click()
            break
        # Wait for the next page: answering the page being left races the navigation.
        with p.expect_navigation():
            p.get_by_role("button", name="Next").click()
    expect(p.get_by_role("heading", name="Thank you")).to_be_visible()
    # The link cannot be used again.
    response = p.goto(link)
    assert response.status == 410
    expect(p.get_by_role("heading", name="Already answered")).to_be_visible()
    phone.close()

    # The dashboard counts the response in the right stratum (municipality, councillor).
    page.goto(dashboard)
    row = page.locator('tr[data-stratum="office_holders:gemeente:raadslid"]')
    assert row.locator("td[data-responded]").inner_text() == "1"
    others = page.locator("td[data-responded]").all_inner_texts()
    assert sorted(others) == sorted(["1"] + ["0"] * (len(others) - 1))
    desk.close()
