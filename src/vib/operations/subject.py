"""The data-subject export (AVG/GDPR art. 15): everything the platform holds about a person.

The foundation's own data is gathered here; every installed module adds its part through
``<app>/privacy.py``::

    def export_subject(user) -> dict: ...

The contract for a module (docs/privacy/subject-export.md):

- return JSON-serialisable values (dates, UUIDs and Decimals are converted), keyed in
  lowerCamelCase, about *this* person only;
- leave out anything that would reveal a reporter, a witness, an investigation or its
  progress (the exception of art. 23 AVG and of the Whistleblowers Protection Act): a person
  who is the *subject* of an integrity report gets nothing from it; a *reporter* gets what
  they themselves submitted, without the handling notes;
- never include secrets (password hashes, second-factor keys, token digests, ciphertext).

Audit events are exported only where the person is the actor: events of others about the
person would show who looked at them and why, which may reveal an investigation. The free-text
``reason`` of an event is left out as well, as it may name others.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from vib.accounts.models import Actor, ApiToken, RoleAssignment, User
from vib.audit.models import Action, AuditEvent
from vib.audit.services import audit_record
from vib.operations import discovery

FORMAT = "vib-subject-export/1"


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _user(user: User) -> dict[str, Any]:
    return {
        "id": str(user.pk),
        "email": user.email,
        "fullName": user.full_name,
        "isActive": user.is_active,
        "isPlatformAdmin": user.is_staff,
        "dateJoined": _iso(user.date_joined),
        "lastLogin": _iso(user.last_login),
    }


def _roles(user: User) -> list[dict[str, Any]]:
    rows = (
        RoleAssignment.objects.filter(user=user)
        .select_related("role", "organisation", "unit")
        .order_by("valid_from", "role__code")
    )
    return [
        {
            "organisation": a.organisation.name if a.organisation else None,
            "organisationCode": a.organisation.code if a.organisation else None,
            "role": a.role.code,
            "roleName": a.role.name_nl,
            "unit": a.unit.name if a.unit else None,
            "function": a.function,
            "validFrom": _iso(a.valid_from),
            "validUntil": _iso(a.valid_until),
        }
        for a in rows
    ]


def _devices(user: User) -> list[dict[str, Any]]:
    from django_otp import devices_for_user

    return [
        {
            "type": device._meta.label_lower,
            "name": device.name,
            "confirmed": device.confirmed,
            "createdAt": _iso(getattr(device, "created_at", None)),
            "lastUsedAt": _iso(getattr(device, "last_used_at", None)),
        }
        for device in devices_for_user(user, confirmed=None)
    ]


def _tokens(user: User) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "createdAt": _iso(t.created_at),
            "lastUsedAt": _iso(t.last_used_at),
            "expiresAt": _iso(t.expires_at),
        }
        for t in ApiToken.objects.filter(user=user).order_by("created_at")
    ]


def _events(user: User) -> list[dict[str, Any]]:
    rows = AuditEvent.objects.filter(actor_id=str(user.pk)).order_by("seq")
    return [
        {
            "at": _iso(e["at"]),
            "action": e["action"],
            "objectType": e["object_type"],
            "objectId": e["object_id"],
            "organisationId": e["organisation_id"],
            "result": e["result"],
            "origin": e["origin"],
        }
        for e in rows.values(
            "at", "action", "object_type", "object_id", "organisation_id", "result", "origin"
        ).iterator(chunk_size=2000)
    ]


def _logins(user: User) -> dict[str, Any]:
    from axes.models import AccessAttempt, AccessLog

    events = AuditEvent.objects.filter(
        object_type="accounts.user",
        object_id=str(user.pk),
        action__in=[Action.LOGIN, Action.LOGOUT],
    ).order_by("seq")
    return {
        "events": [
            {"at": _iso(at), "action": action, "origin": origin}
            for at, action, origin in events.values_list("at", "action", "origin")
        ],
        "sessions": [
            {
                "loggedInAt": _iso(log.attempt_time),
                "loggedOutAt": _iso(log.logout_time),
                "clientAddress": log.ip_address,
                "userAgent": log.user_agent,
            }
            for log in AccessLog.objects.filter(username=user.email).order_by("attempt_time")
        ],
        "failedAttempts": [
            {
                "at": _iso(attempt.attempt_time),
                "failures": attempt.failures_since_start,
            }
            for attempt in AccessAttempt.objects.filter(username=user.email).order_by(
                "attempt_time"
            )
        ],
    }


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so every module's dates and UUIDs become plain values."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def subject_export(*, user: User, actor: Actor | None = None, channel: str = "cli") -> dict:
    """Everything the platform holds about ``user``; audited as an export."""
    modules: dict[str, Any] = {}
    for label, module in discovery.app_modules("privacy"):
        export = getattr(module, "export_subject", None)
        if export is None:
            continue
        part = export(user)
        if not isinstance(part, dict):
            raise TypeError(f"{label}.privacy.export_subject returned {type(part).__name__}.")
        if part:
            modules[label] = _jsonable(part)
    result = {
        "format": FORMAT,
        "generatedAt": datetime.now(tz=UTC).isoformat(),
        "subject": _user(user),
        "roleAssignments": _roles(user),
        "secondFactorDevices": _devices(user),
        "apiTokens": _tokens(user),
        "loginHistory": _logins(user),
        "auditEventsAsActor": _events(user),
        "modules": modules,
    }
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=user,
        channel=channel,
        reason="data-subject export (AVG art. 15)",
    )
    return result
