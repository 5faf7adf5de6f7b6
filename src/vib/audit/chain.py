"""The hash that links audit events: SHA-256 over the previous hash and the event's fields."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

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


def event_payload(values: dict[str, Any]) -> str:
    """The event's fields as canonical JSON: what the hash covers after the previous hash."""
    payload: dict[str, Any] = {}
    for name in FIELDS:
        value = values[name]
        if isinstance(value, datetime):
            value = value.isoformat(timespec="microseconds")
        payload[name] = value
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + event_payload(values)).encode()).hexdigest()
