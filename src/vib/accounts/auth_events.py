"""Audit events for authentication. The attempted user name of a failed log-in is not kept:
people type passwords into that field."""

from __future__ import annotations

from typing import Any

from vib.audit.models import Action, Result
from vib.audit.services import audit_record


def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=Action.LOGIN, obj=user, request=request)


def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=Action.LOGOUT, obj=user, request=request)


def login_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    audit_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        object_type="accounts.user",
        result=Result.DENIED,
        request=request,
    )
