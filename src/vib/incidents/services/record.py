"""All writes of incident registration.

Every function is keyword-only, runs in ``transaction.atomic``, validates before it writes
(raising ``vib.core.errors.ValidationError`` with translated messages per field), locks the
incident row (``select_for_update``) when it changes an existing incident, writes one audit
event, and schedules mail only after the commit. Callers obtain the incident through
``vib.access.incidents`` first; the services check the capabilities a handler alone does not
have (reporting, the coordinator's repeat-perpetrator register).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.selectors import assignments_of, has_capability, organisations_of
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.incidents import aftercare, capabilities, codes, evidence, workflow
from vib.incidents.models import (
    AftercareStep,
    EvidenceFile,
    Incident,
    KnownPerpetrator,
    Measure,
    Perpetrator,
    PoliceReport,
    Transition,
    Victim,
    Witness,
)

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
DESCRIPTION_MAX = 10_000
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
MAX_AMOUNT = Decimal("9999999999.99")

Errors = dict[str, list[str]]


def new_reference() -> str:
    """A random reference such as ``AG-7K2MQ-9QXD4``: 50 bits, not countable, easy to read out."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"AG-{chars[:5]}-{chars[5:]}"


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
    actor: Any,
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
    incident: Incident, *, from_status: str, to_status: str, actor: Any, at: datetime, note: str
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


# --- reporting ---------------------------------------------------------------------------------


def _reporting_organisation(actor: Any, wanted: Any, *, behalf: bool) -> Any:
    """The id of the organisation to report for, checked in one query: ``wanted`` (an
    organisation or its id) when the actor may report there; with ``None``, the only one."""
    needed = capabilities.REPORT_ON_BEHALF if behalf else capabilities.REPORT
    allowed = (
        assignments_of(actor)
        .filter(role__capabilities__capability=needed, organisation__isnull=False)
        .order_by()
        .values_list("organisation_id", flat=True)
    )
    if wanted is not None:
        wanted_id = getattr(wanted, "pk", wanted)
        found = next(iter(allowed.filter(organisation_id=wanted_id)[:1]), None)
    else:
        choices = list(allowed.distinct()[:2])
        if len(choices) > 1:
            raise ValidationError({"organisation": [_("Say for which organisation you report.")]})
        found = choices[0] if choices else None
    if found is None:
        raise ValidationError(
            {
                "organisation": [
                    _("You may not report on behalf of others here.")
                    if behalf
                    else _("You may not report incidents for this organisation.")
                ]
            }
        )
    return found


def incident_report(
    *,
    actor: Any,
    organisation: Any | None,
    occurred_at: datetime | None,
    types: Sequence[str],
    channel: str,
    severity: str,
    place_kind: str,
    platform: str = "",
    location: str = "",
    description: str = "",
    unit: Any | None = None,
    victim_group: str = codes.VictimGroup.EMPLOYEE,
    victim_function: str = "",
    on_behalf_of: Any | None = None,
    victim_name: str = "",
    perpetrator_kind: str = codes.PerpetratorKind.UNKNOWN,
    perpetrator_category: str = codes.PerpetratorCategory.UNKNOWN,
    perpetrator_description: str = "",
    files: Sequence[Any] = (),
    request: Any | None = None,
    channel_label: str = "web",
) -> Incident:
    """Register a new incident: one's own, or on behalf of someone (a user or a name).

    ``organisation`` may be ``None`` when the actor may report for exactly one organisation.

    Creates the incident, its first victim, the perpetrator when anything is known, the
    evidence files, the first history entry and the 72-hour first-contact deadline; the
    coordinators get an e-mail after the commit.
    """
    now = timezone.now()
    errors: Errors = {}
    behalf = on_behalf_of is not None or bool(victim_name.strip())
    organisation_id = _reporting_organisation(actor, organisation, behalf=behalf)
    if on_behalf_of is not None and on_behalf_of == actor:
        on_behalf_of, behalf = None, bool(victim_name.strip())
    if (
        on_behalf_of is not None
        and not organisations_of(on_behalf_of).filter(pk=organisation_id).exists()
    ):
        _add(errors, "on_behalf_of", _("This person does not work for this organisation."))
    facts = {
        "organisation_id": organisation_id,
        "occurred_at": occurred_at,
        "types": list(types),
        "channel": channel,
        "platform": platform,
        "severity": severity,
        "place_kind": place_kind,
        "location": location,
        "description": description,
        "unit": unit,
    }
    _check_facts(errors, facts, now=now)
    _check_choice(errors, "victim_group", victim_group, codes.VictimGroup)
    _check_choice(errors, "perpetrator_kind", perpetrator_kind, codes.PerpetratorKind)
    _check_choice(errors, "perpetrator_category", perpetrator_category, codes.PerpetratorCategory)
    if len(victim_function) > 100:
        _add(errors, "victim_function", _("Keep the function under 100 characters."))
    if len(perpetrator_description) > 300:
        _add(errors, "perpetrator_description", _("Keep this under 300 characters."))
    checked = _check_files(errors, files)
    _raise(errors)
    assert occurred_at is not None

    person = on_behalf_of if behalf else actor
    stored: list[str] = []
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                organisation_id=organisation_id,
                reference=new_reference(),
                status=codes.Status.REPORTED,
                reported_at=now,
                reported_by=actor,
                person=person,
                on_behalf=behalf,
                occurred_at=occurred_at,
                place_kind=place_kind,
                location=location.strip(),
                channel=channel,
                platform=platform if channel == codes.Channel.SOCIAL_MEDIA else "",
                types=codes.to_mask(types, codes.TYPE_BITS),
                severity=severity,
                description=description.strip(),
                unit=unit,
                victim_groups=codes.GROUP_BITS[victim_group],
            )
            victim = Victim.objects.create(
                incident=incident,
                organisation_id=organisation_id,
                user=person,
                name=victim_name.strip(),
                group=victim_group,
                function=victim_function.strip(),
                unit=unit,
            )
            if (
                perpetrator_kind != codes.PerpetratorKind.UNKNOWN
                or perpetrator_category != codes.PerpetratorCategory.UNKNOWN
                or perpetrator_description.strip()
            ):
                Perpetrator.objects.create(
                    incident=incident,
                    organisation_id=organisation_id,
                    kind=perpetrator_kind,
                    category=perpetrator_category,
                    description=perpetrator_description.strip(),
                )
            _history(
                incident,
                from_status="",
                to_status=codes.Status.REPORTED,
                actor=actor,
                at=now,
                note="",
            ).save()
            _first_contact_step(incident, victim, now).save()
            stored = _store_files(incident, actor, checked)
            _audit(
                actor=actor,
                action=Action.CREATE,
                incident=incident,
                reason="reported on behalf" if behalf else "reported",
                request=request,
                channel=channel_label,
            )
            _notify(incident)
    except BaseException:
        _discard(stored)
        raise
    return incident


# --- evidence ----------------------------------------------------------------------------------


def _check_files(errors: Errors, files: Sequence[Any]) -> list[tuple[Any, evidence.CheckedFile]]:
    files = [f for f in files if f]
    if len(files) > evidence.MAX_FILES:
        _add(
            errors,
            "files",
            _("Upload at most %(max)d files at a time.") % {"max": evidence.MAX_FILES},
        )
        return []
    checked = []
    for upload in files:
        try:
            checked.append((upload, evidence.check_file(upload, getattr(upload, "name", ""))))
        except ValidationError as exc:
            for message in exc.messages:
                _add(errors, "files", message)
    return checked


def _store_files(
    incident: Incident, actor: Any, checked: Iterable[tuple[Any, evidence.CheckedFile]]
) -> list[str]:
    stored: list[str] = []
    for upload, info in checked:
        row = EvidenceFile(
            incident=incident,
            organisation_id=incident.organisation_id,
            original_name=info.original_name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=actor,
        )
        upload.seek(0)
        sealed = evidence.seal_content(incident.organisation_id, row.pk, upload.read())
        row.file.save(secrets.token_hex(16), ContentFile(sealed), save=False)
        stored.append(str(row.file.name))
        row.save()
    return stored


def _discard(names: Iterable[str]) -> None:
    """Remove files written by a transaction that did not commit."""
    storage = EvidenceFile.file.field.storage
    for name in names:
        storage.delete(name)


def evidence_add(
    *, incident: Incident, actor: Any, files: Sequence[Any], request: Any | None = None
) -> list[EvidenceFile]:
    """Add evidence files to an incident (a handler, or the reporter to their own report)."""
    errors: Errors = {}
    checked = _check_files(errors, files)
    if not checked and not errors:
        _add(errors, "files", _("Choose at least one file."))
    _raise(errors)
    stored: list[str] = []
    try:
        with transaction.atomic():
            incident = _lock(incident)
            stored = _store_files(incident, actor, checked)
            _audit(
                actor=actor,
                action=Action.UPDATE,
                incident=incident,
                reason=f"evidence added ({len(stored)})",
                request=request,
            )
    except BaseException:
        _discard(stored)
        raise
    return list(EvidenceFile.objects.filter(incident=incident, file__in=stored))


def evidence_remove(
    *, incident: Incident, evidence_id: Any, actor: Any, request: Any | None = None
) -> None:
    with transaction.atomic():
        incident = _lock(incident)
        row = _child(EvidenceFile, incident, evidence_id)
        name = str(row.file.name)
        row.delete()
        _audit(
            actor=actor,
            action=Action.UPDATE,
            incident=incident,
            reason="evidence removed",
            request=request,
        )
        transaction.on_commit(lambda: _discard([name]))


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
    actor: Any,
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
    actor: Any,
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


def _child[M: Model](model: type[M], incident: Incident, child_id: Any) -> M:
    """A row of ``incident``; anything else (or a malformed id) is a ValidationError."""
    try:
        return model._default_manager.get(incident=incident, pk=child_id)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        raise ValidationError(_("This item does not belong to the incident.")) from None


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
    *, incident: Incident, actor: Any, request: Any | None = None, **fields: Any
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
    *, incident: Incident, victim_id: Any, actor: Any, request: Any | None = None, **fields: Any
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
    *, incident: Incident, victim_id: Any, actor: Any, request: Any | None = None
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
    actor: Any,
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
    model: Any, *, incident: Incident, child_id: Any, actor: Any, reason: str, request: Any
) -> None:
    """Delete one row that belongs to the incident (under its lock) and audit the change."""
    with transaction.atomic():
        incident = _lock(incident)
        _child(model, incident, child_id).delete()
        _audit(actor=actor, action=Action.UPDATE, incident=incident, reason=reason, request=request)


def witness_remove(
    *, incident: Incident, witness_id: Any, actor: Any, request: Any | None = None
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
    actor: Any,
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
    *, incident: Incident, perpetrator_id: Any, actor: Any, request: Any | None = None
) -> None:
    _child_remove(
        Perpetrator,
        incident=incident,
        child_id=perpetrator_id,
        actor=actor,
        reason="perpetrator removed",
        request=request,
    )


def _require_coordinator(actor: Any, organisation: Any) -> None:
    if not has_capability(actor, capabilities.COORDINATE, organisation):
        raise ValidationError(_("Only the coordinator keeps the register of repeat perpetrators."))


def known_perpetrator_create(
    *,
    organisation: Any,
    actor: Any,
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
    actor: Any,
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
    actor: Any,
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
    *, incident: Incident, measure_id: Any, actor: Any, request: Any | None = None
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
    *, incident: Incident, actor: Any, request: Any | None = None, **fields: Any
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
    actor: Any,
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


# --- aftercare ---------------------------------------------------------------------------------


def aftercare_record(
    *,
    incident: Incident,
    step_id: Any,
    actor: Any,
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
    actor: Any,
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
    *, incident: Incident, step_id: Any, actor: Any, reason: str, request: Any | None = None
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


# --- retention ---------------------------------------------------------------------------------

RETENTION_NOTE = "retention: personal data removed, statistical facts kept"


def incidents_anonymise(*, closed_before: datetime, batch: int = 500) -> dict[Any, int]:
    """Remove the personal data of incidents closed before ``closed_before``; keep the facts.

    What goes: descriptions and locations, the links to people (reporter, victims' accounts),
    names, functions and contact details, witnesses, perpetrator details and register links,
    notes, police references, evidence files and the status history (its notes name people).
    What stays, for the dashboard, the benchmark and the monitor: organisation, unit, dates,
    types, channel, platform, place, severity, victim groups, amounts, measures and police
    report kinds and outcomes, and the aftercare steps' kinds and dates.
    Returns the number of incidents anonymised per organisation id.
    """
    counts: dict[Any, int] = {}
    while True:
        with transaction.atomic():
            rows = list(
                Incident.objects.select_for_update(skip_locked=True)
                .filter(
                    status=codes.Status.CLOSED,
                    closed_at__lt=closed_before,
                    anonymised_at__isnull=True,
                )
                .order_by("closed_at")
                .values_list("pk", "organisation_id")[:batch]
            )
            if not rows:
                return counts
            ids = [pk for pk, _organisation in rows]
            now = timezone.now()
            files = list(
                EvidenceFile.objects.filter(incident_id__in=ids).values_list("file", flat=True)
            )
            EvidenceFile.objects.filter(incident_id__in=ids).delete()
            Witness.objects.filter(incident_id__in=ids).delete()
            Transition.objects.filter(incident_id__in=ids).delete()
            Victim.objects.filter(incident_id__in=ids).update(
                name="", user=None, function="", unit=None, behaviour_change="", updated_at=now
            )
            linked = set(
                Perpetrator.objects.filter(incident_id__in=ids, known__isnull=False).values_list(
                    "known_id", flat=True
                )
            )
            Perpetrator.objects.filter(incident_id__in=ids).update(
                name="", description="", known=None, updated_at=now
            )
            KnownPerpetrator.objects.filter(pk__in=linked, perpetrators__isnull=True).delete()
            Measure.objects.filter(incident_id__in=ids).update(note="", updated_at=now)
            PoliceReport.objects.filter(incident_id__in=ids).update(
                police_reference="", note="", updated_at=now
            )
            AftercareStep.objects.filter(incident_id__in=ids).update(
                note="", cancel_reason="", done_by=None, updated_at=now
            )
            Incident.objects.filter(pk__in=ids).update(
                description="",
                location="",
                reported_by=None,
                person=None,
                external_id="",
                anonymised_at=now,
                updated_at=now,
            )
            for pk, organisation_id in rows:
                audit_record(
                    actor=None,
                    action=Action.UPDATE,
                    object_type="incidents.incident",
                    object_id=str(pk),
                    organisation=organisation_id,
                    channel="retention",
                    reason=RETENTION_NOTE,
                )
                counts[organisation_id] = counts.get(organisation_id, 0) + 1
            transaction.on_commit(partial(_discard, files))
