"""Writing to the audit log. Every read of a confidential object goes through ``audit_record``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from vib.audit.chain import GENESIS, event_hash
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
    """Append one event. Runs in its own atomic block and locks the chain head."""
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
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS}
        )
        values["hash"] = event_hash(head.last_hash, values)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, **values)
        head.last_hash = event.hash
        head.last_seq = event.seq
        head.save(update_fields=["last_hash", "last_seq"])
    return event
