"""Reporting an incident and the evidence files that come with it or later."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.accounts.selectors import assignments_of, organisations_of
from vib.audit.models import Action
from vib.core.errors import ValidationError
from vib.incidents import capabilities, codes, evidence
from vib.incidents.models import (
    EvidenceFile,
    Incident,
    Perpetrator,
    Victim,
)
from vib.incidents.services.shared import (
    Errors,
    _add,
    _audit,
    _check_choice,
    _check_facts,
    _child,
    _discard,
    _first_contact_step,
    _history,
    _lock,
    _notify,
    _raise,
)

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_reference() -> str:
    """A random reference such as ``AG-7K2MQ-9QXD4``: 50 bits, not countable, easy to read out."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))
    return f"AG-{chars[:5]}-{chars[5:]}"


# --- reporting ---------------------------------------------------------------------------------


def _reporting_organisation(actor: Actor, wanted: Any, *, behalf: bool) -> Any:
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


@dataclass(frozen=True, kw_only=True)
class ReportFacts:
    """What happened, when, where and how: the facts every report has (``_check_facts``)."""

    occurred_at: datetime | None
    types: Sequence[str]
    channel: str
    severity: str
    place_kind: str
    platform: str = ""
    location: str = ""
    description: str = ""
    unit: Any | None = None


@dataclass(frozen=True, kw_only=True)
class ReportedVictim:
    """Whom it happened to: the reporter themselves (the default), a colleague
    (``on_behalf_of``, a user) or someone without an account (``name``)."""

    group: str = codes.VictimGroup.EMPLOYEE
    function: str = ""
    on_behalf_of: Any | None = None
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class ReportedPerpetrator:
    """What the reporter knows of the perpetrator; all unknown by default."""

    kind: str = codes.PerpetratorKind.UNKNOWN
    category: str = codes.PerpetratorCategory.UNKNOWN
    description: str = ""


def incident_report(
    *,
    actor: Actor,
    organisation: Any | None,
    facts: ReportFacts,
    victim: ReportedVictim | None = None,
    perpetrator: ReportedPerpetrator | None = None,
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
    victim = victim or ReportedVictim()
    perpetrator = perpetrator or ReportedPerpetrator()
    on_behalf_of, victim_name = victim.on_behalf_of, victim.name
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
    _check_facts(
        errors,
        {**vars(facts), "organisation_id": organisation_id, "types": list(facts.types)},
        now=now,
    )
    _check_choice(errors, "victim_group", victim.group, codes.VictimGroup)
    _check_choice(errors, "perpetrator_kind", perpetrator.kind, codes.PerpetratorKind)
    _check_choice(errors, "perpetrator_category", perpetrator.category, codes.PerpetratorCategory)
    if len(victim.function) > 100:
        _add(errors, "victim_function", _("Keep the function under 100 characters."))
    if len(perpetrator.description) > 300:
        _add(errors, "perpetrator_description", _("Keep this under 300 characters."))
    checked = _check_files(errors, files)
    _raise(errors)
    assert facts.occurred_at is not None

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
                occurred_at=facts.occurred_at,
                place_kind=facts.place_kind,
                location=facts.location.strip(),
                channel=facts.channel,
                platform=facts.platform if facts.channel == codes.Channel.SOCIAL_MEDIA else "",
                types=codes.to_mask(facts.types, codes.TYPE_BITS),
                severity=facts.severity,
                description=facts.description.strip(),
                unit=facts.unit,
                victim_groups=codes.GROUP_BITS[victim.group],
            )
            first_victim = Victim.objects.create(
                incident=incident,
                organisation_id=organisation_id,
                user=person,
                name=victim_name.strip(),
                group=victim.group,
                function=victim.function.strip(),
                unit=facts.unit,
            )
            if (
                perpetrator.kind != codes.PerpetratorKind.UNKNOWN
                or perpetrator.category != codes.PerpetratorCategory.UNKNOWN
                or perpetrator.description.strip()
            ):
                Perpetrator.objects.create(
                    incident=incident,
                    organisation_id=organisation_id,
                    kind=perpetrator.kind,
                    category=perpetrator.category,
                    description=perpetrator.description.strip(),
                )
            _history(
                incident,
                from_status="",
                to_status=codes.Status.REPORTED,
                actor=actor,
                at=now,
                note="",
            ).save()
            _first_contact_step(incident, first_victim, now).save()
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
    incident: Incident, actor: Actor, checked: Iterable[tuple[Any, evidence.CheckedFile]]
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


def evidence_add(
    *, incident: Incident, actor: Actor, files: Sequence[Any], request: Any | None = None
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
    *, incident: Incident, evidence_id: Any, actor: Actor, request: Any | None = None
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
