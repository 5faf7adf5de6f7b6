"""The public register's page and files, cached per organisation until the next change.

Issue #15 item 13 (ADR 0099): building the register of 500 declarants takes seconds of
Python, and anyone may ask for it without logging in. What is cached is exactly what every
visitor gets: the rendered people sections of the page (not the page around them, which
carries the visitor's menu and the request's CSP nonce), the two CSV files and the JSON
document, per organisation, reference date, kind and language.

Every entry's key holds the organisation's *generation*, a random token that the services
replace (``changed``) when a write that the register shows commits, so the next request
builds afresh; entries of an old generation are never read again and expire after
``TIMEOUT``, which also bounds the staleness after a write that bypasses the services (the
admin, a shell). With ``VIB_REDIS_URL`` all app processes share the entries and the token.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import translation

TIMEOUT = 60 * 60  # a backstop: a write through the services replaces the generation at once
PREFIX = "disclosures:public"


def _generation_key(organisation_id: Any) -> str:
    return f"{PREFIX}:generation:{organisation_id}"


def generation(organisation_id: Any) -> str:
    key = _generation_key(organisation_id)
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, None)  # the first process to arrive wins
        token = cache.get(key) or "0"
    return str(token)


def changed(organisation_id: Any) -> None:
    """Forget the organisation's cached register once the current transaction commits."""

    def renew() -> None:
        cache.set(_generation_key(organisation_id), uuid.uuid4().hex, None)

    transaction.on_commit(renew)


def cached[T](organisation_id: Any, kind: str, on: date, build: Callable[[], T]) -> T:
    """The cached ``kind`` of the register on ``on``, built by ``build`` when missing."""
    key = ":".join(
        (
            PREFIX,
            str(organisation_id),
            generation(organisation_id),
            kind,
            on.isoformat(),
            translation.get_language() or "",
        )
    )
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
