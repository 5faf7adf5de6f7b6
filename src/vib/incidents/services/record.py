"""The handling record of a reported incident: its facts and status, the victims, witnesses
and perpetrators (with the coordinator's register of known perpetrators), the measures taken
and the police reports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.accounts.selectors import has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.incidents import capabilities, codes, workflow
from vib.incidents.models import (
    AftercareStep,
    Incident,
    KnownPerpetrator,
    Measure,
    Perpetrator,
    PoliceReport,
    Victim,
    Witness,
)
from vib.incidents.services.shared import (
    Errors,
    _add,
    _audit,
    _check_choice,
    _check_facts,
    _child,
    _first_contact_step,
    _history,
    _lock,
    _raise,
    _recompute_groups,
)

# --- the handling record -----------------------------------------------------------------------

UPDATABLE = (
    "occurred_at",
    "place_kind",
    "location",
    "channel",
    "platform",
    "types",
    "severity",
    "description",
    "unit",
    "damage_amount",
    "recovery_claimed",
    "recovery_received",
)


def incident_update(
    *,
    incident: Incident,
    actor: Actor,
    request: Any | None = None,
    channel_label: str = "web",
    **changes: Any,
) -> Incident:
    """Change the facts of an incident (handlers). Only the fields in ``UPDATABLE``."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"incident_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        incident = _lock(incident)
        merged = {name: getattr(incident, name) for name in UPDATABLE}
        merged["types"] = incident.type_values
        merged["unit"] = incident.unit
        merged.update(changes)
        if merged["channel"] != codes.Channel.SOCIAL_MEDIA and "channel" in changes:
            merged["platform"] = ""
        errors: Errors = {}
        checked = {name: merged[name] for name in (*changes, "channel", "platform")}
        _check_facts(errors, {**checked, "organisation": incident.organisation}, now=timezone.now())
        _raise(errors)
        changed = []
        for name in UPDATABLE:
            value = merged[name]
            if name == "types":
                value = codes.to_mask(value, codes.TYPE_BITS)
            if name in ("location", "description") and isinstance(value, str):
                value = value.strip()
            if getattr(incident, name) != value:
                setattr(incident, name, value)
                changed.append(name)
        if changed:
            incident.save(update_fields=[*changed, "updated_at"])
            _audit(
                actor=actor,
                action=Action.UPDATE,
                incident=incident,
                reason="changed: " + ", ".join(changed),
                request=request,
                channel=channel_label,
            )
    return incident


def incident_transition(
    *,
    incident: Incident,
    actor: Actor,
    to_status: str,
    note: str = "",
    request: Any | None = None,
    channel_label: str = "web",
) -> Incident:
    """Move the incident through the workflow (``workflow.TRANSITIONS``), with history."""
    with transaction.atomic():
        incident = _lock(incident)
        open_steps = AftercareStep.objects.filter(
            incident=incident, done_at__isnull=True, cancelled_at__isnull=True
        ).count()
        problem = workflow.transition_problem(
            from_status=incident.status,
            to_status=to_status,
            note=note,
            open_aftercare=open_steps,
        )
        if problem:
            raise ValidationError({"to_status": [problem]})
        now = timezone.now()
        from_status = incident.status
        incident.status = to_status
        incident.closed_at = now if to_status == codes.Status.CLOSED else None
        incident.save(update_fields=["status", "closed_at", "updated_at"])
        _history(
            incident,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            at=now,
            note=note.strip(),
        ).save()
        _audit(
            actor=actor,
            action=Action.TRANSITION,
            incident=incident,
            reason=f"{from_status} -> {to_status}",
            request=request,
            channel=channel_label,
        )
    return incident


def _check_victim_fields(errors: Errors, fields: Mapping[str, Any], organisation: Any) -> None:
    if "group" in fields:
        _check_choice(errors, "group", fields["group"], codes.VictimGroup)
    if fields.get("emotional_impact"):
        _check_choice(errors, "emotional_impact", fields["emotional_impact"], codes.EmotionalImpact)
    days = fields.get("sick_leave_days")
    if days is not None and not 0 <= days <= 3660:
        _add(errors, "sick_leave_days", _("Enter a number of days between 0 and 3660."))
    unit = fields.get("unit")
    if unit is not None and unit.organisation_id != organisation.pk:
        _add(errors, "unit", _("The unit belongs to another organisation."))
    if len(fields.get("function") or "") > 100:
        _add(errors, "function", _("Keep the function under 100 characters."))
    if len(fields.get("behaviour_change") or "") > 200:
        _add(errors, "behaviour_change", _("Keep this under 200 characters."))


VICTIM_FIELDS = (
    "name",
    "group",
    "function",
    "unit",
    "injury",
    "sick_leave_days",
    "emotional_impact",
    "job_satisfaction_affected",
    "influence_on_decisions",
    "behaviour_change",
)


def victim_add(
    *, incident: Incident, actor: Actor, request: Any | None = None, **fields: Any
) -> Victim:
    """Add a victim (with their first-contact deadline: 72 hours from now)."""
    unknown = set(fields) - set(VICTIM_FIELDS)
    if unknown:
        raise TypeError(f"victim_add() does not take {', '.join(sorted(unknown))}")
    with transaction.atomic():
        incident = _lock(incident)
        errors: Errors = {}
        if not (fields.get("name") or "").strip():
            _add(errors, "name", _("This field is required."))
        _check_victim_fields(
            errors, {"group": fields.get("group", ""), **fields}, incident.organisation
        )
        _raise(errors)
        victim = Victim.objects.create(
            incident=incident, organisation_id=incident.organisation_id, **fields
        )
        _recompute_groups(incident)
        incident.save(update_fields=["victim_groups", "updated_at"])
        _first_contact_step(incident, victim, timezone.now()).save()
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="victim added",
            request=request,
        )
    return victim


def victim_update(
    *, incident: Incident, victim_id: Any, actor: Actor, request: Any | None = None, **fields: Any
) -> Victim:
    unknown = set(fields) - set(VICTIM_FIELDS)
    if unknown:
        raise TypeError(f"victim_update() does not take {', '.join(sorted(unknown))}")
    with transaction.atomic():
        incident = _lock(incident)
        victim = _child(Victim, incident, victim_id)
        errors: Errors = {}
        _check_victim_fields(errors, fields, incident.organisation)
        _raise(errors)
        for name, value in fields.items():
            setattr(victim, name, value)
        victim.save()
        _recompute_groups(incident)
        incident.save(update_fields=["victim_groups", "updated_at"])
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="victim changed",
            request=request,
        )
    return victim


def victim_remove(
    *, incident: Incident, victim_id: Any, actor: Actor, request: Any | None = None
) -> None:
    with transaction.atomic():
        incident = _lock(incident)
        victim = _child(Victim, incident, victim_id)
        if Victim.objects.filter(incident=incident).count() <= 1:
            raise ValidationError(_("An incident keeps at least one victim."))
        victim.delete()
        _recompute_groups(incident)
        incident.save(update_fields=["victim_groups", "updated_at"])
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="victim removed",
            request=request,
        )


def witness_add(
    *,
    incident: Incident,
    actor: Actor,
    name: str,
    contact: str = "",
    statement: str = "",
    request: Any | None = None,
) -> Witness:
    with transaction.atomic():
        incident = _lock(incident)
        if not name.strip():
            raise ValidationError({"name": [_("This field is required.")]})
        witness = Witness.objects.create(
            incident=incident,
            organisation_id=incident.organisation_id,
            name=name.strip(),
            contact=contact.strip(),
            statement=statement.strip(),
        )
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="witness added",
            request=request,
        )
    return witness


def _child_remove(
    model: Any, *, incident: Incident, child_id: Any, actor: Actor, reason: str, request: Any
) -> None:
    """Delete one row that belongs to the incident (under its lock) and audit the change."""
    with transaction.atomic():
        incident = _lock(incident)
        _child(model, incident, child_id).delete()
        _audit(actor=actor, action=Action.UPDATE, incident=incident, reason=reason, request=request)


def witness_remove(
    *, incident: Incident, witness_id: Any, actor: Actor, request: Any | None = None
) -> None:
    _child_remove(
        Witness,
        incident=incident,
        child_id=witness_id,
        actor=actor,
        reason="witness removed",
        request=request,
    )


def perpetrator_add(
    *,
    incident: Incident,
    actor: Actor,
    kind: str,
    category: str,
    name: str = "",
    description: str = "",
    request: Any | None = None,
) -> Perpetrator:
    with transaction.atomic():
        incident = _lock(incident)
        errors: Errors = {}
        _check_choice(errors, "kind", kind, codes.PerpetratorKind)
        _check_choice(errors, "category", category, codes.PerpetratorCategory)
        if len(description) > 300:
            _add(errors, "description", _("Keep this under 300 characters."))
        _raise(errors)
        perpetrator = Perpetrator.objects.create(
            incident=incident,
            organisation_id=incident.organisation_id,
            kind=kind,
            category=category,
            name=name.strip(),
            description=description.strip(),
        )
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="perpetrator added",
            request=request,
        )
    return perpetrator


def perpetrator_remove(
    *, incident: Incident, perpetrator_id: Any, actor: Actor, request: Any | None = None
) -> None:
    _child_remove(
        Perpetrator,
        incident=incident,
        child_id=perpetrator_id,
        actor=actor,
        reason="perpetrator removed",
        request=request,
    )


def _require_coordinator(actor: Actor, organisation: Any) -> None:
    if not has_capability(actor, capabilities.COORDINATE, organisation):
        raise ValidationError(_("Only the coordinator keeps the register of repeat perpetrators."))


def known_perpetrator_create(
    *,
    organisation: Any,
    actor: Actor,
    label: str,
    name: str = "",
    note: str = "",
    request: Any | None = None,
) -> KnownPerpetrator:
    """Add a person to the organisation's repeat-perpetrator register (coordinators only)."""
    with transaction.atomic():
        _require_coordinator(actor, organisation)
        label = label.strip()
        errors: Errors = {}
        if not label:
            _add(errors, "label", _("This field is required."))
        elif len(label) > 100:
            _add(errors, "label", _("Keep the label under 100 characters."))
        elif KnownPerpetrator.objects.filter(
            organisation=organisation, label__iexact=label
        ).exists():
            _add(errors, "label", _("The register already has this label."))
        _raise(errors)
        known = KnownPerpetrator.objects.create(
            organisation=organisation,
            label=label,
            name=name.strip(),
            note=note.strip(),
            created_by=actor,
        )
        audit_record(actor=actor, action=Action.CREATE, obj=known, request=request)
    return known


def perpetrator_link(
    *,
    incident: Incident,
    perpetrator_id: Any,
    known: KnownPerpetrator | None,
    actor: Actor,
    request: Any | None = None,
) -> Perpetrator:
    """Link a perpetrator to the register (or unlink with ``None``): coordinators only."""
    with transaction.atomic():
        incident = _lock(incident)
        _require_coordinator(actor, incident.organisation)
        perpetrator = _child(Perpetrator, incident, perpetrator_id)
        if known is not None and known.organisation_id != incident.organisation_id:
            raise ValidationError(_("Repeat perpetrators are linked within one organisation only."))
        perpetrator.known = known
        perpetrator.save(update_fields=["known", "updated_at"])
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="perpetrator linked" if known else "perpetrator unlinked",
            request=request,
        )
    return perpetrator


def measure_add(
    *,
    incident: Incident,
    actor: Actor,
    kind: str,
    decided_on: date,
    valid_until: date | None = None,
    perpetrator_id: Any | None = None,
    note: str = "",
    request: Any | None = None,
) -> Measure:
    with transaction.atomic():
        incident = _lock(incident)
        errors: Errors = {}
        _check_choice(errors, "kind", kind, codes.MeasureKind)
        if decided_on is None:
            _add(errors, "decided_on", _("This field is required."))
        elif valid_until is not None and valid_until < decided_on:
            _add(errors, "valid_until", _("The end lies before the decision."))
        _raise(errors)
        perpetrator = _child(Perpetrator, incident, perpetrator_id) if perpetrator_id else None
        measure = Measure.objects.create(
            incident=incident,
            organisation_id=incident.organisation_id,
            perpetrator=perpetrator,
            kind=kind,
            decided_on=decided_on,
            valid_until=valid_until,
            note=note.strip(),
        )
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="measure added",
            request=request,
        )
    return measure


def measure_remove(
    *, incident: Incident, measure_id: Any, actor: Actor, request: Any | None = None
) -> None:
    _child_remove(
        Measure,
        incident=incident,
        child_id=measure_id,
        actor=actor,
        reason="measure removed",
        request=request,
    )


POLICE_FIELDS = (
    "kind",
    "date",
    "police_reference",
    "vpt",
    "employer_address",
    "filed_by_employer",
    "outcome",
    "outcome_date",
    "note",
)


def _check_police(errors: Errors, fields: Mapping[str, Any]) -> None:
    if "kind" in fields:
        _check_choice(errors, "kind", fields["kind"], codes.PoliceReportKind)
    if "outcome" in fields:
        _check_choice(errors, "outcome", fields["outcome"], codes.CaseOutcome)
    if "date" in fields and fields["date"] is None:
        _add(errors, "date", _("This field is required."))
    if fields.get("date") and fields["date"] > timezone.localdate():
        _add(errors, "date", _("The date cannot lie in the future."))
    if (
        fields.get("outcome_date")
        and fields.get("date")
        and fields["outcome_date"] < fields["date"]
    ):
        _add(errors, "outcome_date", _("The outcome cannot come before the report."))
    if len(fields.get("police_reference") or "") > 50:
        _add(errors, "police_reference", _("Keep the reference under 50 characters."))


def police_report_add(
    *, incident: Incident, actor: Actor, request: Any | None = None, **fields: Any
) -> PoliceReport:
    """Record a police report (melding) or criminal complaint (aangifte)."""
    unknown = set(fields) - set(POLICE_FIELDS)
    if unknown:
        raise TypeError(f"police_report_add() does not take {', '.join(sorted(unknown))}")
    with transaction.atomic():
        incident = _lock(incident)
        errors: Errors = {}
        _check_police(
            errors, {"kind": fields.get("kind", ""), "date": fields.get("date"), **fields}
        )
        _raise(errors)
        report = PoliceReport.objects.create(
            incident=incident, organisation_id=incident.organisation_id, **fields
        )
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason=f"police report added ({report.kind})",
            request=request,
        )
    return report


def police_report_update(
    *,
    incident: Incident,
    report_id: Any,
    actor: Actor,
    request: Any | None = None,
    **fields: Any,
) -> PoliceReport:
    """Change a police report, e.g. record the criminal case outcome."""
    unknown = set(fields) - set(POLICE_FIELDS)
    if unknown:
        raise TypeError(f"police_report_update() does not take {', '.join(sorted(unknown))}")
    with transaction.atomic():
        incident = _lock(incident)
        report = _child(PoliceReport, incident, report_id)
        merged = {name: getattr(report, name) for name in POLICE_FIELDS} | fields
        errors: Errors = {}
        _check_police(errors, merged)
        _raise(errors)
        for name, value in fields.items():
            setattr(report, name, value)
        report.save()
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="police report changed",
            request=request,
        )
    return report
