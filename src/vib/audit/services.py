"""Writing to the audit log. Every read of a confidential object goes through ``audit_record``."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, transaction

from vib.audit.chain import FIELDS, GENESIS, event_hash, sign, signing_key
from vib.audit.models import Action, AuditEvent, ChainHead, Result

if TYPE_CHECKING:  # a type only: the audit log sits below accounts and imports none of it
    from vib.accounts.models import Actor


def _origin(request: Any | None, *, channel: str | None) -> str:
    if request is None:
        return channel or "cli"
    if channel is None:
        channel = "api" if request.path.startswith("/api/") else "web"
    user = getattr(request, "user", None)
    # Only authenticated staff leave an address; anonymous reporters leave nothing.
    if user is not None and user.is_authenticated:
        return f"{channel} {request.META.get('REMOTE_ADDR', '')}".strip()
    return channel


def audit_record(
    *,
    actor: Actor | None,
    action: Action | str,
    obj: Any | None = None,
    object_type: str = "",
    object_id: str = "",
    organisation: Any | None = None,
    result: Result | str = Result.OK,
    request: Any | None = None,
    channel: str | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event, in the caller's transaction (or its own), locking the chain head."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if organisation is None:
            organisation = getattr(obj, "organisation", None)
    known = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    values: dict[str, Any] = {
        "at": datetime.now(tz=UTC),
        "actor_id": str(known.pk) if known is not None else "",
        "actor_label": str(known) if known is not None else "",
        "organisation_id": str(getattr(organisation, "pk", organisation or "")),
        "action": str(action),
        "object_type": object_type,
        "object_id": object_id,
        "result": str(result),
        "origin": _origin(request, channel=channel),
        "reason": reason,
    }
    key_id, key = signing_key()
    # No savepoint of its own: inside a caller's transaction an error here must undo the
    # caller's write as well (an unaudited change must not commit), and the statements a
    # savepoint costs are round trips on every audited write of the platform.
    with transaction.atomic(savepoint=False):
        connection = connections[AuditEvent.objects.db]
        if connection.vendor == "postgresql":
            event = _append_postgresql(connection, values, key_id=key_id, key=key)
            if event is not None:
                return event
        heads = ChainHead.objects.select_for_update().filter(id=1).values_list("last_hash")
        found = heads.first()
        if found is None:
            head, _ = ChainHead.objects.select_for_update().get_or_create(
                id=1, defaults={"last_hash": GENESIS}
            )
            previous = head.last_hash
        else:
            previous = found[0]
        values["hash"] = event_hash(previous, values, key=key)
        event = AuditEvent.objects.create(prev_hash=previous, key_id=key_id, **values)
        ChainHead.objects.filter(id=1).update(last_hash=event.hash, last_seq=event.seq)
    return event


# PostgreSQL: two statements — lock the head and read its hash; then insert the event and move
# the head in one statement. The HMAC is computed here, between the two, so the key never
# reaches the database server (ADR 0093 replaces the server-side hash of ADR 0081).
# The hashed fields in the order of ``chain.FIELDS`` (a test holds the two together).
_APPEND_COLUMNS = (
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
_HEAD_SQL = "SELECT last_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE"
_APPEND_SQL = """
WITH event AS (
    INSERT INTO audit_auditevent (
        at, actor_id, actor_label, organisation_id, action, object_type, object_id, result,
        origin, reason, prev_hash, hash, key_id
    )
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    RETURNING seq, hash
)
UPDATE audit_chainhead SET last_hash = event.hash, last_seq = event.seq
FROM event WHERE audit_chainhead.id = 1
RETURNING event.seq
"""


def _append_postgresql(
    connection: Any, values: dict[str, Any], *, key_id: str, key: bytes
) -> AuditEvent | None:
    """The event appended on PostgreSQL, or ``None`` before the chain has a head."""
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_SQL)
        head = cursor.fetchone()
        if head is None:
            return None
        previous = head[0]
        hash_ = event_hash(previous, values, key=key)
        cursor.execute(_APPEND_SQL, [*(values[name] for name in FIELDS), previous, hash_, key_id])
        (seq,) = cursor.fetchone()
    event = AuditEvent(seq=seq, prev_hash=previous, hash=hash_, key_id=key_id, **values)
    event._state.adding = False
    event._state.db = connection.alias
    return event


class CheckpointError(Exception):
    """The checkpoint cannot be written; the message says why."""


def audit_checkpoint_write(*, directory: Path | None = None) -> Path:
    """Write a signed checkpoint of the chain's current end: its count, newest seq and hash.

    The file is created, never overwritten; ``vib audit verify`` holds the chain against every
    checkpoint it finds. Copy the directory to storage the database administrators cannot
    write to (docs/operations.md).
    """
    target = Path(directory or settings.AUDIT_CHECKPOINT_DIR)
    key_id, key = signing_key()
    # Count and head read in one snapshot: the head is locked, so no append slips between.
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(id=1).first()
        count = AuditEvent.objects.count()
        if head is None and count:
            raise CheckpointError("The audit chain has events but no head: run vib audit verify.")
        last_seq = head.last_seq if head is not None else 0
        last_hash = head.last_hash if head is not None else GENESIS
    document: dict[str, Any] = {
        "version": 1,
        "written_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "count": count,
        "last_seq": last_seq,
        "last_hash": last_hash,
        "key_id": key_id,
    }
    document["signature"] = sign(key, document)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CheckpointError(f"Cannot create {target}: {exc.strerror}.") from None
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = target / f"checkpoint-{last_seq:020d}-{stamp}.json"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except FileExistsError:
        raise CheckpointError(f"{path} exists already.") from None
    except OSError as exc:
        raise CheckpointError(f"Cannot write {path}: {exc.strerror}.") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, sort_keys=True, indent=1)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path
