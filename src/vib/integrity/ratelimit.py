"""The integrity channel's rate limits (ADR 0022, 0092); the machinery is
``vib.core.ratelimit``."""

from __future__ import annotations

from vib.core.ratelimit import (
    WAIT_SECONDS,
    WAIT_VALID,
    Limit,
    client_of,
    exceeded,
    hit,
    wait_state,
    wait_token,
)

__all__ = [
    "INTAKE_GLOBAL",
    "INTAKE_PER_CLIENT",
    "INTAKE_PER_ORGANISATION",
    "MAILBOX_ATTEMPTS_PER_CODE",
    "MAILBOX_FAILURES_GLOBAL",
    "MAILBOX_FAILURES_PER_CLIENT",
    "MAILBOX_POSTS_PER_CASE",
    "WAIT_SECONDS",
    "WAIT_VALID",
    "Limit",
    "client_of",
    "exceeded",
    "hit",
    "wait_state",
    "wait_token",
]

INTAKE_PER_CLIENT = Limit("intake-client", 5, 3600)
INTAKE_PER_ORGANISATION = Limit("intake-org", 100, 3600)
INTAKE_GLOBAL = Limit("intake-all", 1000, 3600)
MAILBOX_FAILURES_PER_CLIENT = Limit("mailbox-fail", 5, 900)
MAILBOX_FAILURES_GLOBAL = Limit("mailbox-fail-all", 500, 900)
# Every attempt with one code (right or wrong): each costs a slow hash.
MAILBOX_ATTEMPTS_PER_CODE = Limit("mailbox-code", 10, 900)
MAILBOX_POSTS_PER_CASE = Limit("mailbox-post", 30, 3600)
