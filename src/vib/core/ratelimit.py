"""Rate limits without client identifiers beyond the window (ADR 0022, 0092).

Generic: the counters, the client address and the wait tokens. The limits themselves live
with their module (``vib.integrity.ratelimit``, ``vib.accounts.views`` for log-in spraying).

A counter lives in Django's cache under a key made of an HMAC of (scope, subject, window
number): the client address is never stored, the key cannot be reversed without the secret,
keys of successive windows cannot be linked, and the entry expires with its window. Use a
shared cache (``VIB_REDIS_URL``) when several app processes serve the intake.

The client address is the peer's, or, when the peer is one of ``VIB_TRUSTED_PROXIES``, the
nearest address in ``X-Forwarded-For`` that is not a trusted proxy; an IPv6 address counts
as its /64. A limit that is reached does not refuse: it asks for a *wait token* (see
:func:`wait_token`), so someone who shares an address with an attacker — or whose code an
attacker cannot know — still gets in after a short wait (ADR 0092).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass
from functools import cache as memoise

from django.conf import settings
from django.core import signing
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: int  # seconds


WAIT_SALT = "vib.integrity.ratelimit-wait"
WAIT_SECONDS = 30  # how long a wait token must age before it is accepted
WAIT_VALID = 15 * 60  # and how long after that it may still be used (once)


def _key(limit: Limit, subject: str, now: float) -> tuple[str, int]:
    window = int(now // limit.window)
    secret = hashlib.sha256(f"vib.integrity.ratelimit|{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.new(secret, f"{limit.scope}|{subject}|{window}".encode(), hashlib.sha256)
    expires = (window + 1) * limit.window - int(now) + 1
    return f"vib:rl:{mac.hexdigest()[:40]}", max(expires, 1)


def exceeded(limit: Limit, subject: str) -> bool:
    key, _ = _key(limit, subject, time.time())
    return int(cache.get(key, 0)) >= limit.count


def hit(limit: Limit, subject: str) -> bool:
    """Count one event; True when the limit is now exceeded (this event included)."""
    key, expires = _key(limit, subject, time.time())
    if cache.add(key, 1, timeout=expires):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=expires)
            count = 1
    return count > limit.count


@memoise
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str) -> bool:
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _group(address: str) -> str:
    """The address as a rate-limit subject: an IPv6 address as its /64 (one subscriber)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _client(request: object) -> str:
    meta = getattr(request, "META", {})
    address = str(meta.get("REMOTE_ADDR", "") or "")
    if address and _trusted(address):
        hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        for hop in reversed([hop for hop in hops if hop]):
            address = hop
            if not _trusted(hop):
                break
    return address


def client_of(request: object) -> str:
    """The client address, only ever used as HMAC input for a rate-limit key.

    ``X-Forwarded-For`` is read only when the peer is a trusted proxy, from the right (the
    entries the proxies added) to the first address that is not a trusted proxy; whatever a
    client wrote further left is never reached.
    """
    address = _client(request)
    return _group(address) if address else "unknown"


def client_address(request: object) -> str | None:
    """The client's address as :func:`client_of` finds it, ungrouped (for django-axes, which
    stores it in an address column), or None when it is not an address."""
    try:
        return str(ipaddress.ip_address(_client(request)))
    except ValueError:
        return None


def wait_token() -> str:
    """A signed, single-use token that :func:`wait_passed` accepts from ``WAIT_SECONDS`` on."""
    return signing.dumps({"n": secrets.token_hex(12), "t": int(time.time())}, salt=WAIT_SALT)


def wait_token_for(subject: str) -> str | None:
    """A wait token, but at most one per ``subject`` (a client) every ``WAIT_SECONDS``: so
    one client cannot gather many and spend them at once. None: wait for the next one."""
    key, _ = _key(Limit("wait-issued", 1, WAIT_SECONDS), subject, time.time())
    if not cache.add(key, 1, timeout=WAIT_SECONDS):
        return None
    return wait_token()


def wait_state(token: str) -> str:
    """``"none"`` (missing or forged), ``"early"``, ``"used"`` or ``"ok"`` (now spent)."""
    if not token:
        return "none"
    try:
        value = signing.loads(token, salt=WAIT_SALT, max_age=WAIT_SECONDS + WAIT_VALID)
        issued, nonce = int(value["t"]), str(value["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "none"
    if time.time() - issued < WAIT_SECONDS:
        return "early"
    key, _ = _key(Limit("wait-token", 1, WAIT_SECONDS + WAIT_VALID), nonce, issued)
    if not cache.add(key, 1, timeout=WAIT_SECONDS + WAIT_VALID):
        return "used"
    return "ok"
