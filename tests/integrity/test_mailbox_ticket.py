"""The mailbox ticket is server-side and ends at log-out (issue #15, item 10).

Before, the cookie was a signed case id: log-out only dropped it from the browser, and a copy
of it (a shared computer, a proxy log) kept opening the mailbox for up to 30 minutes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from vib.integrity import tickets
from vib.integrity.models import Case

from .helpers import open_mailbox, submit

pytestmark = pytest.mark.django_db
MAILBOX = "/integriteit/brievenbus/berichten"


def test_a_copied_ticket_is_useless_after_log_out(world, client):
    _response, code = submit(client, world.a)
    client.cookies.clear()
    assert open_mailbox(client, code).status_code == 302
    ticket = client.cookies["vib_mailbox"].value
    case = Case.objects.get()
    assert str(case.pk) not in ticket  # a random ticket, not the case id
    assert tickets.ticket_case_id(ticket) == str(case.pk)

    thief = Client()
    thief.cookies["vib_mailbox"] = ticket
    assert thief.get(MAILBOX).status_code == 200  # the copy works while the reporter is in

    assert client.post("/integriteit/brievenbus/afsluiten").status_code == 302
    assert tickets.ticket_case_id(ticket) is None
    assert thief.get(MAILBOX)["Location"] == "/integriteit/brievenbus"
    assert client.get(MAILBOX)["Location"] == "/integriteit/brievenbus"


def test_the_ticket_slides_and_a_new_log_in_replaces_it(world, client):
    _response, code = submit(client, world.a)
    client.cookies.clear()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        open_mailbox(client, code)
        first = client.cookies["vib_mailbox"].value
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert client.get(MAILBOX).status_code == 200  # active: another 30 minutes
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get(MAILBOX).status_code == 200
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        assert client.get(MAILBOX).status_code == 302  # idle for 31 minutes: ended
    # Entering the code again gives a new ticket and ends the one the browser had.
    open_mailbox(client, code)
    second = client.cookies["vib_mailbox"].value
    assert second != first
    assert tickets.ticket_case_id(first) is None
    assert cache.get("vib:mailbox-ticket:" + second) is None  # stored under a hash only


def test_a_forged_ticket_opens_nothing(world, client):
    client.cookies["vib_mailbox"] = "x" * 43
    assert client.get(MAILBOX).status_code == 302
    client.cookies["vib_mailbox"] = "x" * 5000
    assert client.get(MAILBOX).status_code == 302
