"""What every write of incident registration shares: the limits of a report's facts, their
validation, the lock on the incident row, the audit event and the status history, and the
queued notification."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.incidents import aftercare, codes
from vib.incidents.models import (
    AftercareStep,
    EvidenceFile,
    Incident,
    Transition,
    Victim,
)

DESCRIPTION_MAX = 10_000
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
MAX_AMOUNT = Decimal("9999999999.99")

Errors = dict[str, list[str]]


# --- validation helpers ------------------------------------------------------------------------


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_choice(
    errors: Errors, field: str, value: str, choices: type[Any], *, required: bool = True
) -> None:
    if not value:
        if required:
            _add(errors, field, _("This field is required."))
        return
    if value not in choices.values:
        _add(errors, field, _("%(value)r is not a valid choice.") % {"value": value})


def _check_facts(errors: Errors, facts: Mapping[str, Any], *, now: datetime) -> None:  # noqa: C901, PLR0912
    """The checks shared by reporting, updating and importing an incident."""
    if "types" in facts:
        types = list(facts["types"] or [])
        if not types:
            _add(errors, "types", _("Choose at least one kind of incident."))
        for value in types:
            if value not in codes.TYPE_BITS:
                _add(errors, "types", _("%(value)r is not a valid choice.") % {"value": value})
    for field, choices in (
        ("channel", codes.Channel),
        ("severity", codes.Severity),
        ("place_kind", codes.PlaceKind),
    ):
        if field in facts:
            _check_choice(errors, field, facts[field] or "", choices)
    if "platform" in facts or "channel" in facts:
        platform = facts.get("platform") or ""
        _check_choice(errors, "platform", platform, codes.Platform, required=False)
        channel = facts.get("channel")
        if platform and channel and channel != codes.Channel.SOCIAL_MEDIA:
            _add(errors, "platform", _("A platform only goes with the channel 'social media'."))
    if "occurred_at" in facts:
        occurred_at = facts["occurred_at"]
        if occurred_at is None:
            _add(errors, "occurred_at", _("This field is required."))
        elif occurred_at > now + FUTURE_TOLERANCE:
            _add(errors, "occurred_at", _("The incident cannot lie in the future."))
        elif occurred_at < EARLIEST:
            _add(errors, "occurred_at", _("The date is too long ago."))
    if len(facts.get("description") or "") > DESCRIPTION_MAX:
        _add(
            errors,
            "description",
            _("Keep the description under %(max)d characters.") % {"max": DESCRIPTION_MAX},
        )
    if len(facts.get("location") or "") > 200:
        _add(errors, "location", _("Keep the location under 200 characters."))
    for field in ("damage_amount", "recovery_claimed", "recovery_received"):
        amount = facts.get(field)
        if amount is not None and not (Decimal(0) <= Decimal(amount) <= MAX_AMOUNT):
            _add(errors, field, _("Enter an amount of zero or more."))
    unit = facts.get("unit")
    organisation_id = facts.get("organisation_id")
    if unit is not None and organisation_id is not None and unit.organisation_id != organisation_id:
        _add(errors, "unit", _("The unit belongs to another organisation."))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _lock(incident: Incident) -> Incident:
    """The incident row again, locked until the transaction ends (the root of every change)."""
    # of=("self",): FOR UPDATE on the joined organisation row too would block the deferred
    # foreign-key checks (FOR KEY SHARE) of every other write of that organisation → deadlocks.
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=incident.pk)
    )


def _audit(
    *,
    actor: Actor,
    action: str,
    incident: Incident,
    reason: str,
    request: Any | None = None,
    channel: str = "web",
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=incident,
        organisation=incident.organisation_id,
        request=request,
        channel=channel,
        reason=reason,
    )


def _history(
    incident: Incident, *, from_status: str, to_status: str, actor: Actor, at: datetime, note: str
) -> Transition:
    return Transition(
        incident=incident,
        organisation_id=incident.organisation_id,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=str(actor) if getattr(actor, "is_authenticated", False) else "",
        at=at,
        note=note,
    )


def _recompute_groups(incident: Incident) -> None:
    groups = Victim.objects.filter(incident=incident).values_list("group", flat=True)
    incident.victim_groups = codes.to_mask(set(groups), codes.GROUP_BITS)


def _first_contact_step(incident: Incident, victim: Victim, start: datetime) -> AftercareStep:
    deadline = aftercare.first_contact(start)
    return AftercareStep(
        incident=incident,
        organisation_id=incident.organisation_id,
        victim=victim,
        kind=deadline.kind,
        due_from=deadline.due_from,
        due_at=deadline.due_at,
    )


def _notify(incident: Incident) -> None:
    """Queue the coordinators' notification *inside* the transaction (ADR 15): with the
    database task backend the task row commits with the incident or not at all, so no report
    loses its notification when the process dies right after the commit. The task mails only
    after its own commit, and the task cannot see the incident before ours."""
    from vib.incidents.tasks import notify_new_incident

    notify_new_incident.enqueue(incident_id=str(incident.pk))


def _child[M: Model](model: type[M], incident: Incident, child_id: Any) -> M:
    """A row of ``incident``; anything else (or a malformed id) is a ValidationError."""
    try:
        return model._default_manager.get(incident=incident, pk=child_id)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise ValidationError(_("This item does not belong to the incident.")) from None


def _discard(names: Iterable[str]) -> None:
    """Remove files written by a transaction that did not commit."""
    storage = EvidenceFile.file.field.storage
    for name in names:
        storage.delete(name)
