"""Rate limits that hold behind a proxy and cannot be turned against reporters (ADR 0092)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from vib.integrity import ratelimit

from .helpers import open_mailbox, submit

PROXY = "10.0.0.5"


def _client(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return ratelimit.client_of(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _client(PROXY, "203.0.113.7") == PROXY


def test_behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]
    # The visitor's own (forged) entries are on the left; the proxies append on the right.
    assert _client(PROXY, "198.51.100.1, 203.0.113.7") == "203.0.113.7"
    assert _client(PROXY, "203.0.113.7, 192.0.2.1") == "203.0.113.7"  # two proxies
    assert _client(PROXY) == PROXY  # nothing forwarded: the proxy itself
    # A peer that is not a trusted proxy cannot name another client.
    assert _client("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_an_ipv6_client_counts_as_its_64(settings):
    settings.TRUSTED_PROXIES = []
    assert _client("2001:db8:1:2::1") == _client("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert _client("2001:db8:1:3::1") != _client("2001:db8:1:2::1")
    assert _client("::ffff:203.0.113.7") == "203.0.113.7"


@pytest.mark.django_db
def test_behind_the_proxy_one_visitors_failures_do_not_hold_up_another(world, client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    _response, code = submit(client, world.a)
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(ratelimit.MAILBOX_FAILURES_PER_CLIENT.count + 2):
        open_mailbox(client, "ABCD-EFGH-JKMN-PQRS-TVWX", **attacker)
    assert open_mailbox(client, "ABCD-EFGH-JKMN-PQRS-TVWX", **attacker).status_code == 429
    reporter = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert open_mailbox(client, code, **reporter).status_code == 302


@pytest.mark.django_db
def test_the_global_ceiling_delays_everyone_but_refuses_no_right_code(world, client, settings):
    _response, code = submit(client, world.a)
    for _ in range(ratelimit.MAILBOX_FAILURES_GLOBAL.count):
        ratelimit.hit(ratelimit.MAILBOX_FAILURES_GLOBAL, "all")
    waiting = open_mailbox(client, code, REMOTE_ADDR="198.51.100.77")
    assert waiting.status_code == 429
    token = waiting.context["wait_token"]
    later = timezone.now() + timedelta(seconds=ratelimit.WAIT_SECONDS + 1)
    with time_machine.travel(later):
        opened = client.post(
            "/integriteit/brievenbus", {"code": code, "wacht": token}, REMOTE_ADDR="198.51.100.77"
        )
    assert opened.status_code == 302


@pytest.mark.django_db
def test_repeating_one_code_is_limited_per_code(world, client):
    _response, code = submit(client, world.a)
    for number in range(ratelimit.MAILBOX_ATTEMPTS_PER_CODE.count):
        # From ever other address: only the code ties these attempts together.
        assert open_mailbox(client, code, REMOTE_ADDR=f"198.51.100.{number}").status_code == 302
        client.cookies.clear()
    assert open_mailbox(client, code, REMOTE_ADDR="198.51.100.200").status_code == 429
    # Another code is not affected.
    _response, other = submit(client, world.a, REMOTE_ADDR="198.51.100.201")
    assert open_mailbox(client, other, REMOTE_ADDR="198.51.100.202").status_code == 302


@pytest.mark.django_db
def test_a_forged_or_early_token_is_not_accepted():
    assert ratelimit.wait_state("") == "none"
    assert ratelimit.wait_state("forged:token") == "none"
    token = ratelimit.wait_token()
    assert ratelimit.wait_state(token) == "early"
    with time_machine.travel(timezone.now() + timedelta(seconds=ratelimit.WAIT_SECONDS + 1)):
        assert ratelimit.wait_state(token) == "ok"
        assert ratelimit.wait_state(token) == "used"
    late = timezone.now() + timedelta(seconds=ratelimit.WAIT_SECONDS + ratelimit.WAIT_VALID + 5)
    with time_machine.travel(late):
        assert ratelimit.wait_state(ratelimit.wait_token()) == "early"
        assert ratelimit.wait_state(token) == "none"  # expired
