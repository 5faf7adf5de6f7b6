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

ADR 0124: what is sent is kept as well — the *final bytes* of each response (``final``,
``keep``), per organisation code, kind, reference date, page, language and encoding (plain
and gzip, compressed once when the entry is built), with a strong ``ETag``. A hit is a read
of the entry and of the organisation's generation token, and nothing else.

Each app process also keeps the representations it served last (``_LOCAL``, at most
``LOCAL_ENTRIES``), so a repeated hit reads only the small generation token from the shared
cache instead of unpickling up to 1.5 MB from it: a local copy is served only while its
generation is still the organisation's current one and it is younger than ``TIMEOUT`` —
exactly when the shared entry would be served (ADR 0124).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
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


# --- final bytes (ADR 0124) ----------------------------------------------------------------------

ENCODINGS = ("identity", "gzip")


@dataclass(frozen=True)
class Final:
    """One representation as sent: its body and its strong entity tag."""

    etag: str
    body: bytes


@functools.cache
def _database_tag(name: str) -> str:
    return hashlib.blake2s(name.encode(), digest_size=4).hexdigest()


def _final_key(code: str, kind: str, on: date, page: int, encoding: str) -> str:
    # Keyed by the code the visitor asks for, so the database is part of the key: another
    # database behind the same Redis (a second installation, a benchmark's throw-away one)
    # may hold the same code for another organisation whose generation is still cached.
    database = _database_tag(str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]))
    language = translation.get_language() or ""
    parts = (PREFIX, "final", database, code.upper(), kind, on.isoformat(), str(page))
    return ":".join((*parts, language, encoding))


LOCAL_ENTRIES = 64
_LOCAL: OrderedDict[str, tuple[float, str, str, Final]] = OrderedDict()
_LOCAL_LOCK = threading.Lock()


def _remember(key: str, organisation_id: str, built_generation: str, rep: Final) -> None:
    if built_generation == "0":
        return  # a cache that could not keep the token: nothing to check a copy against
    with _LOCAL_LOCK:
        _LOCAL[key] = (time.monotonic(), organisation_id, built_generation, rep)
        _LOCAL.move_to_end(key)
        while len(_LOCAL) > LOCAL_ENTRIES:
            _LOCAL.popitem(last=False)


def _local(key: str) -> Final | None:
    with _LOCAL_LOCK:
        entry = _LOCAL.get(key)
    if entry is None:
        return None
    kept_at, organisation_id, built_generation, rep = entry
    if time.monotonic() - kept_at < TIMEOUT and generation(organisation_id) == built_generation:
        return rep
    with _LOCAL_LOCK:
        _LOCAL.pop(key, None)
    return None


def final(code: str, kind: str, on: date, page: int, encoding: str) -> Final | None:
    """The kept representation, or None when there is none of the organisation's current
    generation (never built, expired, or built before the last change)."""
    key = _final_key(code, kind, on, page, encoding)
    local = _local(key)
    if local is not None:
        return local
    entry = cache.get(key)
    if entry is None:
        return None
    organisation_id, built_generation, etag, body = entry
    if generation(organisation_id) != built_generation:
        return None
    rep = Final(etag, body)
    _remember(key, organisation_id, built_generation, rep)
    return rep


def keep(
    code: str,
    organisation_id: Any,
    built_generation: str,
    kind: str,
    on: date,
    page: int,
    body: bytes,
) -> dict[str, Final]:
    """Keep ``body`` and its gzip copy as built in ``built_generation``.

    The generation is the one read *before* building, so a write that commits while the body
    is being built leaves an entry that is never served (``final`` compares the tokens).
    """
    digest = hashlib.sha256(body).hexdigest()[:32]
    representations = {
        "identity": Final(f'"{digest}"', body),
        # mtime=0: the same content compresses to the same bytes in every process.
        "gzip": Final(f'"{digest}-gzip"', gzip.compress(body, compresslevel=9, mtime=0)),
    }
    keys = {encoding: _final_key(code, kind, on, page, encoding) for encoding in representations}
    cache.set_many(
        {
            keys[encoding]: (
                str(organisation_id),
                built_generation,
                representation.etag,
                representation.body,
            )
            for encoding, representation in representations.items()
        },
        TIMEOUT,
    )
    for encoding, representation in representations.items():
        _remember(keys[encoding], str(organisation_id), built_generation, representation)
    return representations
