"""All writes of the governance module: the process inventory and the policy checklist."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.accounts.selectors import has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.governance import capabilities as caps
from vib.governance import checklist
from vib.governance.models import (
    Answer,
    PolicyAnswer,
    PolicyChecklist,
    ProcessKind,
    ProcessReview,
    Risk,
    Safeguard,
    VulnerableProcess,
)
from vib.organisations.models import Organisation

ANSWER_CAPABILITY = {
    checklist.Audience.STAFF: caps.ANSWER_STAFF,
    checklist.Audience.REPRESENTATIVES: caps.ANSWER_REPRESENTATIVES,
}


def _require(actor: Actor, capability: str, organisation: Organisation) -> None:
    if not has_capability(actor, capability, organisation):
        raise PermissionDenied


def _clean_functions(functions: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for function in functions:
        name = " ".join(function.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def _validate(
    *, kind: str, risk: str, safeguards: Iterable[str], next_review_on: date, name: str
) -> list[str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the process a name.")
    if kind not in ProcessKind.values:
        errors["kind"] = _("Choose a kind of process.")
    if risk not in Risk.values:
        errors["risk"] = _("Choose a risk rating.")
    chosen = list(dict.fromkeys(safeguards))
    if any(s not in Safeguard.values for s in chosen):
        errors["safeguards"] = _("Choose safeguards from the list.")
    if next_review_on <= timezone.localdate():
        errors["next_review_on"] = _("The next review must lie in the future.")
    if errors:
        raise ValidationError(errors)
    return chosen


@transaction.atomic
def vulnerable_process_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    kind: str,
    risk: str,
    next_review_on: date,
    description: str = "",
    functions: Iterable[str] = (),
    safeguards: Iterable[str] = (),
    owner: str = "",
) -> VulnerableProcess:
    _require(actor, caps.MANAGE_PROCESSES, organisation)
    chosen = _validate(
        kind=kind, risk=risk, safeguards=safeguards, next_review_on=next_review_on, name=name
    )
    if VulnerableProcess.objects.filter(
        organisation=organisation, name__iexact=name.strip()
    ).exists():
        raise ValidationError({"name": _("A process with this name is already in the inventory.")})
    process = VulnerableProcess(
        organisation=organisation,
        name=name.strip(),
        kind=kind,
        risk=risk,
        description=description.strip(),
        functions=_clean_functions(functions),
        safeguards=chosen,
        owner=owner.strip(),
        next_review_on=next_review_on,
    )
    process.full_clean()
    process.save()
    audit_record(actor=actor, action=Action.CREATE, obj=process)
    return process


@transaction.atomic
def vulnerable_process_review(
    *,
    actor: Actor,
    process: VulnerableProcess,
    risk: str,
    safeguards: Iterable[str],
    next_review_on: date,
    functions: Iterable[str] | None = None,
    note: str = "",
) -> VulnerableProcess:
    """Record a review: the new rating and safeguards, kept in the append-only history."""
    _require(actor, caps.MANAGE_PROCESSES, process.organisation)
    chosen = _validate(
        kind=process.kind,
        risk=risk,
        safeguards=safeguards,
        next_review_on=next_review_on,
        name=process.name,
    )
    locked = VulnerableProcess.objects.select_for_update().get(pk=process.pk)
    today = timezone.localdate()
    locked.risk = risk
    locked.safeguards = chosen
    if functions is not None:
        locked.functions = _clean_functions(functions)
    locked.last_reviewed_on = today
    locked.next_review_on = next_review_on
    locked.save()
    ProcessReview.objects.create(
        process=locked, reviewed_on=today, reviewer=actor, risk=risk, safeguards=chosen, note=note
    )
    audit_record(actor=actor, action=Action.UPDATE, obj=locked, reason="reviewed")
    return locked


@transaction.atomic
def checklist_answer(
    *,
    actor: Actor,
    organisation: Organisation,
    year: int,
    answers: dict[tuple[str, str], tuple[str, str]],
) -> PolicyChecklist:
    """Store answers ``{(item, audience): (answer, note)}`` for one year.

    The secretaris answers for staff and executives, the griffier for representatives; an
    answer for an audience the actor does not own is refused and nothing is written.
    """
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": _("Choose this year or an earlier one.")})
    existing = PolicyChecklist.objects.filter(organisation=organisation, year=year).first()
    version = existing.version if existing else checklist.CURRENT_VERSION
    known = {i.code: i for i in checklist.items(version)}
    errors: dict[str, str] = {}
    for (code, audience), (answer, _note) in answers.items():
        item = known.get(code)
        if item is None or audience not in item.audiences:
            errors[f"{code}-{audience}"] = _("This item is not on the checklist.")
        elif answer not in Answer.values:
            errors[f"{code}-{audience}"] = _("Choose an answer from the list.")
    if errors:
        raise ValidationError(errors)
    for audience in {a for (_c, a) in answers}:
        _require(actor, ANSWER_CAPABILITY[checklist.Audience(audience)], organisation)
    sheet, created = PolicyChecklist.objects.select_for_update().get_or_create(
        organisation=organisation, year=year, defaults={"version": version}
    )
    now = timezone.now()
    for (code, audience), (answer, note) in answers.items():
        PolicyAnswer.objects.update_or_create(
            checklist=sheet,
            item=code,
            audience=audience,
            defaults={
                "answer": answer,
                "note": note.strip(),
                "answered_by": actor,
                "answered_at": now,
            },
        )
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=sheet,
        reason=f"{len(answers)} answers",
    )
    return sheet
