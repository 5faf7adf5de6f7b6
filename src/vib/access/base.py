"""Shared machinery of the access layer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet

from vib.audit.models import Action, Result
from vib.audit.services import audit_record
from vib.core.errors import NotFound


def fetch_audited[M: Model](
    visible: QuerySet[M],
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
    object_type: str,
) -> M:
    """Get one object from a visibility queryset, auditing the read (and the refusal).

    A malformed id, a missing object and an object of another tenant or role all end in the
    same ``NotFound``.
    """
    try:
        obj = visible.get(pk=id)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        audit_record(
            actor=user,
            action=Action.READ,
            object_type=object_type,
            object_id=str(id)[:64],
            result=Result.DENIED,
            request=request,
            reason=reason,
        )
        raise NotFound from None
    audit_record(actor=user, action=Action.READ, obj=obj, request=request, reason=reason)
    return obj
