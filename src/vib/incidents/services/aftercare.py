"""Aftercare for the victims of an incident: the steps, their outcome and their deadlines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.audit.models import Action
from vib.core.errors import ValidationError
from vib.incidents import aftercare, codes
from vib.incidents.models import (
    AftercareStep,
    Incident,
    Victim,
)
from vib.incidents.services.shared import (
    FUTURE_TOLERANCE,
    Errors,
    _add,
    _audit,
    _check_choice,
    _child,
    _lock,
    _raise,
)

# --- aftercare ---------------------------------------------------------------------------------


def aftercare_record(
    *,
    incident: Incident,
    step_id: Any,
    actor: Actor,
    outcome: str,
    referral_to: str = "",
    note: str = "",
    done_at: datetime | None = None,
    request: Any | None = None,
) -> list[AftercareStep]:
    """Record that an aftercare step was done; returns the steps this schedules next."""
    with transaction.atomic():
        incident = _lock(incident)
        step = _child(AftercareStep, incident, step_id)
        now = timezone.now()
        done_at = done_at or now
        errors: Errors = {}
        if not step.is_open:
            _add(errors, "outcome", _("This step has already been recorded or cancelled."))
        _check_choice(errors, "outcome", outcome, codes.AftercareOutcome)
        if outcome == codes.AftercareOutcome.REFERRED or referral_to:
            _check_choice(errors, "referral_to", referral_to, codes.Referral)
        if done_at > now + FUTURE_TOLERANCE:
            _add(errors, "done_at", _("The contact cannot lie in the future."))
        _raise(errors)
        step.done_at = done_at
        step.done_by = actor
        step.outcome = outcome
        step.referral_to = referral_to
        step.note = note.strip()
        step.save()
        following = [
            AftercareStep(
                incident=incident,
                organisation_id=incident.organisation_id,
                victim_id=step.victim_id,
                kind=deadline.kind,
                due_from=deadline.due_from,
                due_at=deadline.due_at,
            )
            for deadline in aftercare.after_step(kind=step.kind, outcome=outcome, done_at=done_at)
        ]
        AftercareStep.objects.bulk_create(following)
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason=f"aftercare {step.kind}: {outcome}",
            request=request,
        )
    return following


def aftercare_add(
    *,
    incident: Incident,
    victim_id: Any,
    actor: Actor,
    due_at: datetime,
    note: str = "",
    request: Any | None = None,
) -> AftercareStep:
    """Plan an additional contact by hand."""
    with transaction.atomic():
        incident = _lock(incident)
        victim = _child(Victim, incident, victim_id)
        if due_at is None:
            raise ValidationError({"due_at": [_("This field is required.")]})
        step = AftercareStep.objects.create(
            incident=incident,
            organisation_id=incident.organisation_id,
            victim=victim,
            kind=codes.AftercareKind.EXTRA,
            due_from=min(due_at, timezone.now()),
            due_at=due_at,
            note=note.strip(),
        )
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="aftercare planned",
            request=request,
        )
    return step


def aftercare_cancel(
    *, incident: Incident, step_id: Any, actor: Actor, reason: str, request: Any | None = None
) -> AftercareStep:
    """Cancel an open step (e.g. the person left the organisation), with the reason."""
    with transaction.atomic():
        incident = _lock(incident)
        step = _child(AftercareStep, incident, step_id)
        errors: Errors = {}
        if not step.is_open:
            _add(errors, "reason", _("This step has already been recorded or cancelled."))
        if not reason.strip():
            _add(errors, "reason", _("Say why the step is cancelled."))
        elif len(reason) > 200:
            _add(errors, "reason", _("Keep the reason under 200 characters."))
        _raise(errors)
        step.cancelled_at = timezone.now()
        step.cancel_reason = reason.strip()
        step.done_by = actor
        step.save()
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason=f"aftercare {step.kind} cancelled",
            request=request,
        )
    return step
