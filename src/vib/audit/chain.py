"""The keyed hash that links audit events.

Each event's hash is an HMAC-SHA256, under a key kept outside the database
(``settings.AUDIT_KEYS``), over the previous event's hash followed by the event's fields as
canonical JSON. Someone who can write to the database but does not hold the key cannot
recompute the chain after changing, removing or adding a row (ADR 0093). Every event records
the id of the key that signed it, so keys can be rotated: the first key signs, all verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS = "0" * 64
FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "result",
    "origin",
    "reason",
)
MIN_KEY_LENGTH = 32


@cache
def parse_keys(raw: tuple[str, ...]) -> tuple[str, dict[str, bytes]]:
    if not raw:
        raise ImproperlyConfigured("VIB_AUDIT_KEYS is empty.")
    keys: dict[str, bytes] = {}
    for entry in raw:
        key_id, sep, secret = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or len(key_id) > 16 or not key_id.isascii():
            raise ImproperlyConfigured(
                "VIB_AUDIT_KEYS: write every key as id:secret, with an id of at most 16 "
                "ASCII characters."
            )
        if len(secret) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"VIB_AUDIT_KEYS: the secret of key {key_id!r} must have at least "
                f"{MIN_KEY_LENGTH} characters."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"VIB_AUDIT_KEYS: key id {key_id!r} appears twice.")
        keys[key_id] = secret.encode()
    return raw[0].partition(":")[0].strip(), keys


def signing_key() -> tuple[str, bytes]:
    """The id and secret of the key that signs new events and checkpoints."""
    key_id, keys = parse_keys(tuple(settings.AUDIT_KEYS))
    return key_id, keys[key_id]


def verification_key(key_id: str) -> bytes | None:
    """The secret of a (current or retired) key, or ``None`` when it is not configured."""
    return parse_keys(tuple(settings.AUDIT_KEYS))[1].get(key_id)


def event_payload(values: dict[str, Any]) -> str:
    """The event's fields as canonical JSON: what the hash covers after the previous hash."""
    payload: dict[str, Any] = {}
    for name in FIELDS:
        value = values[name]
        if isinstance(value, datetime):
            value = value.isoformat(timespec="microseconds")
        payload[name] = value
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, values: dict[str, Any], *, key: bytes) -> str:
    message = (prev_hash + event_payload(values)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def unkeyed_event_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """The hash of the chain before ADR 0093 (plain SHA-256): only the upgrade uses it."""
    return hashlib.sha256((prev_hash + event_payload(values)).encode()).hexdigest()


def sign(key: bytes, document: dict[str, Any]) -> str:
    """HMAC-SHA256 over a document's canonical JSON (checkpoints)."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
