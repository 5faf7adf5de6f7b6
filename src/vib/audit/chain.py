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


def event_hash(prev_hash: str, values: dict[str, Any]) -> str:
    payload: dict[str, Any] = {}
    for name in FIELDS:
        value = values[name]
        if isinstance(value, datetime):
            value = value.isoformat(timespec="microseconds")
        payload[name] = value
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + blob).encode()).hexdigest()
