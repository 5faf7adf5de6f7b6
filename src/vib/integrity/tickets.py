"""Mailbox tickets: what lets a reporter back into their mailbox for 30 minutes after the code.

Server-side (issue #15, item 10): the cookie holds a random ticket; the shared cache holds,
under the ticket's SHA-256 (so whoever reads the cache cannot use a key as a cookie), the case
id — nothing about the reporter. A ticket slides: every use gives it another 30 minutes. Log-out
deletes it, so a copied cookie is useless afterwards; before, the cookie was a signed case id
that stayed valid until its 30 minutes ran out whatever the reporter did.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import cache

TICKET_AGE = 30 * 60
_PREFIX = "vib:mailbox-ticket:"


def _key(ticket: str) -> str:
    return _PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


def ticket_issue(*, case_id: str) -> str:
    """A new ticket for the case's mailbox, valid for ``TICKET_AGE`` seconds."""
    ticket = secrets.token_urlsafe(32)
    cache.set(_key(ticket), case_id, timeout=TICKET_AGE)
    return ticket


def ticket_case_id(ticket: str | None) -> str | None:
    """The case the ticket opens, or ``None`` when it is unknown, ended or expired."""
    if not ticket or len(ticket) > 100:
        return None
    value = cache.get(_key(ticket))
    return str(value) if value is not None else None


def ticket_extend(ticket: str) -> None:
    """Another ``TICKET_AGE`` seconds from now (sliding, while the reporter is active)."""
    cache.touch(_key(ticket), timeout=TICKET_AGE)


def ticket_end(ticket: str | None) -> None:
    """End the ticket at once (log-out, or a new log-in replacing it)."""
    if ticket and len(ticket) <= 100:
        cache.delete(_key(ticket))
