"""Rate limits without client identifiers beyond the window (ADR 0022).

A counter lives in Django's cache under a key made of an HMAC of (scope, subject, window
number): the client address is never stored, the key cannot be reversed without the secret,
keys of successive windows cannot be linked, and the entry expires with its window. Use a
shared cache (``VIB_REDIS_URL``) when several app processes serve the intake.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    window: int  # seconds


INTAKE_PER_CLIENT = Limit("intake-client", 5, 3600)
INTAKE_PER_ORGANISATION = Limit("intake-org", 100, 3600)
MAILBOX_FAILURES_PER_CLIENT = Limit("mailbox-fail", 5, 900)
MAILBOX_FAILURES_GLOBAL = Limit("mailbox-fail-all", 500, 900)
MAILBOX_POSTS_PER_CASE = Limit("mailbox-post", 30, 3600)


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


def client_of(request: object) -> str:
    """The client address, only ever used as HMAC input for a rate-limit key."""
    return str(getattr(request, "META", {}).get("REMOTE_ADDR", "") or "unknown")
