"""Writing to the audit log. Every read of a confidential object goes through ``audit_record``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connections, transaction

from vib.audit.chain import FIELDS, GENESIS, event_hash, event_payload
from vib.audit.models import Action, AuditEvent, ChainHead, Result


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
    actor: Any | None,
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
    # No savepoint of its own: inside a caller's transaction an error here must undo the
    # caller's write as well (an unaudited change must not commit), and the statements a
    # savepoint costs are round trips on every audited write of the platform.
    with transaction.atomic(savepoint=False):
        connection = connections[AuditEvent.objects.db]
        if connection.vendor == "postgresql":
            event = _append_in_one_statement(connection, values)
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
        values["hash"] = event_hash(previous, values)
        event = AuditEvent.objects.create(prev_hash=previous, **values)
        ChainHead.objects.filter(id=1).update(last_hash=event.hash, last_seq=event.seq)
    return event


# PostgreSQL: lock the head, insert the event and move the head in one statement (one round
# trip instead of three). The server computes the same hash as ``event_hash``:
# SHA-256 over the previous hash followed by the event's canonical JSON, hex-encoded.
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
_APPEND_SQL = """
WITH head AS (
    SELECT last_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE
), event AS (
    INSERT INTO audit_auditevent (
        at, actor_id, actor_label, organisation_id, action, object_type, object_id, result,
        origin, reason, prev_hash, hash
    )
    SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, head.last_hash,
           encode(sha256(convert_to(head.last_hash || %s, 'UTF8')), 'hex')
    FROM head
    RETURNING seq, prev_hash, hash
)
UPDATE audit_chainhead SET last_hash = event.hash, last_seq = event.seq
FROM event WHERE audit_chainhead.id = 1
RETURNING event.seq, event.prev_hash, event.hash
"""


def _append_in_one_statement(connection: Any, values: dict[str, Any]) -> AuditEvent | None:
    """The event appended on PostgreSQL, or ``None`` before the chain has a head."""
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL, [*(values[name] for name in FIELDS), event_payload(values)])
        row = cursor.fetchone()
    if row is None:
        return None
    seq, prev_hash, hash_ = row
    event = AuditEvent(seq=seq, prev_hash=prev_hash, hash=hash_, **values)
    event._state.adding = False
    event._state.db = connection.alias
    return event
