"""All writes of the disclosures module: declarations, registration, assessment, income, gifts.

Every service is keyword-only, validates before it writes (a ``ValidationError`` with a
translatable message, nothing saved), locks the root row, records an audit event and keeps the
history append-only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.accounts.selectors import has_capability, organisations_of
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.disclosures import capabilities as caps
from vib.disclosures import public_cache, publication
from vib.disclosures.models import (
    ActivityEvent,
    ActivityIncome,
    ActivityStatus,
    Confirmation,
    ConfirmationRound,
    Decision,
    Declarant,
    DesignatedFunction,
    FinancialInterest,
    Gift,
    GiftDisposition,
    InterestHolder,
    InterestKind,
    InterestOccasion,
    InterestStatus,
    Office,
    SideActivity,
)
from vib.disclosures.workflow import can_transition
from vib.organisations.models import Organisation


def _require(actor: Actor, capability: str, organisation: Organisation) -> None:
    if not has_capability(actor, capability, organisation):
        raise PermissionDenied


def _is_own(actor: Actor, declarant: Declarant) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and declarant.user_id == actor.pk


def _clean(obj: Any, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude)


# --- the register of people -------------------------------------------------------------------


@transaction.atomic
def designated_function_create(
    *, actor: Actor, organisation: Organisation, name: str, reason: str = "", designated_on: date
) -> DesignatedFunction:
    _require(actor, caps.REGISTER, organisation)
    name = name.strip()
    if DesignatedFunction.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": _("This function has already been designated.")})
    function = DesignatedFunction(
        organisation=organisation, name=name, reason=reason, designated_on=designated_on
    )
    _clean(function)
    function.save()
    audit_record(actor=actor, action=Action.CREATE, obj=function)
    return function


@transaction.atomic
def declarant_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    office: str,
    function: str,
    appointed_on: date,
    user: Any | None = None,
    designated_function: DesignatedFunction | None = None,
) -> Declarant:
    """Add a person to the register (the registrar sets the office that decides publication)."""
    _require(actor, caps.REGISTER, organisation)
    return _declarant_create(
        actor=actor,
        organisation=organisation,
        name=name,
        office=office,
        function=function,
        appointed_on=appointed_on,
        user=user,
        designated_function=designated_function,
    )


def _declarant_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    office: str,
    function: str,
    appointed_on: date,
    user: Any | None,
    designated_function: DesignatedFunction | None,
) -> Declarant:
    if office not in Office.values:
        raise ValidationError({"office": _("Choose an office from the list.")})
    if office == Office.DESIGNATED_OFFICIAL and designated_function is None:
        raise ValidationError(
            {"designated_function": _("An official in a designated function needs the function.")}
        )
    if designated_function is not None and designated_function.organisation_id != organisation.pk:
        raise ValidationError(
            {"designated_function": _("The function is designated by another organisation.")}
        )
    if (
        user is not None
        and Declarant.objects.filter(organisation=organisation, user=user, left_on=None).exists()
    ):
        raise ValidationError({"user": _("This person is already in the register.")})
    declarant = Declarant(
        organisation=organisation,
        user=user,
        name=name.strip(),
        office=office,
        function=function.strip(),
        appointed_on=appointed_on,
        designated_function=designated_function,
    )
    _clean(declarant)
    declarant.save()
    public_cache.changed(organisation.pk)
    audit_record(actor=actor, action=Action.CREATE, obj=declarant)
    return declarant


@transaction.atomic
def declarant_for_self(*, actor: Actor, organisation: Organisation) -> Declarant:
    """The actor's current place in the register; an employee entry is made on first use.

    Only the registrar can make someone an office holder or designated official, because the
    office decides what is published about them.
    """
    existing = (
        Declarant.objects.select_for_update()
        .filter(organisation=organisation, user=actor, left_on=None)
        .first()
    )
    if existing is not None:
        return existing
    if not organisations_of(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    return _declarant_create(
        actor=actor,
        organisation=organisation,
        name=actor.full_name or actor.email,
        office=Office.EMPLOYEE,
        function=_("employee"),
        appointed_on=timezone.localdate(),
        user=actor,
        designated_function=None,
    )


@transaction.atomic
def declarant_leave(*, actor: Actor, declarant: Declarant, left_on: date) -> Declarant:
    _require(actor, caps.REGISTER, declarant.organisation)
    declarant = Declarant.objects.select_for_update().get(pk=declarant.pk)
    if left_on < declarant.appointed_on:
        raise ValidationError({"left_on": _("The end of office lies before the appointment.")})
    declarant.left_on = left_on
    declarant.save(update_fields=["left_on", "updated_at"])
    public_cache.changed(declarant.organisation_id)
    audit_record(actor=actor, action=Action.UPDATE, obj=declarant, reason="left office")
    return declarant


@transaction.atomic
def declarant_declare_none(*, actor: Actor, declarant: Declarant) -> Declarant:
    """'I hold no side functions': satisfies the duty to declare immediately."""
    if not _is_own(actor, declarant):
        _require(actor, caps.REGISTER, declarant.organisation)
    declarant = Declarant.objects.select_for_update().get(pk=declarant.pk)
    declarant.no_side_activities_declared_on = timezone.localdate()
    declarant.save(update_fields=["no_side_activities_declared_on", "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=declarant, reason="no side activities")
    return declarant


# --- side activities --------------------------------------------------------------------------


def _event(
    activity: SideActivity,
    actor: Actor,
    *,
    from_status: str = "",
    to_status: str = "",
    **extra: Any,
) -> None:
    public_cache.changed(activity.organisation_id)  # every change of an activity passes here
    ActivityEvent.objects.create(
        activity=activity,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        **extra,
    )


@transaction.atomic
def side_activity_declare(
    *,
    actor: Actor,
    declarant: Declarant,
    role: str,
    body: str,
    start_date: date,
    kvk_number: str = "",
    description: str = "",
    by_virtue_of_office: bool = False,
    paid: bool = False,
    hours_per_month: Decimal | None = None,
    end_date: date | None = None,
    intention: bool = False,
    council_informed_on: date | None = None,
) -> SideActivity:
    """Declare a side activity one has, or intends to take up; the registrar registers it."""
    if not _is_own(actor, declarant):
        _require(actor, caps.REGISTER, declarant.organisation)
    if declarant.left_on is not None:
        raise ValidationError(_("This person has left office; declarations are closed."))
    errors: dict[str, str] = {}
    if end_date is not None and end_date < start_date:
        errors["end_date"] = _("The end date lies before the start date.")
    if intention and end_date is not None and end_date < timezone.localdate():
        errors["intention"] = _("An intention cannot concern an activity that has already ended.")
    if council_informed_on is not None and not intention:
        errors["council_informed_on"] = _("Only an intention is reported to the council.")
    if council_informed_on is not None and council_informed_on > timezone.localdate():
        errors["council_informed_on"] = _("The council cannot have been informed in the future.")
    if errors:
        raise ValidationError(errors)
    activity = SideActivity(
        organisation=declarant.organisation,
        declarant=declarant,
        role=" ".join(role.split()),
        body=" ".join(body.split()),
        kvk_number=kvk_number.strip(),
        description=description.strip(),
        by_virtue_of_office=by_virtue_of_office,
        paid=paid,
        hours_per_month=hours_per_month,
        start_date=start_date,
        end_date=end_date,
        intention=intention,
        council_informed_on=council_informed_on,
        status=ActivityStatus.DECLARED,
        declared_at=timezone.now(),
    )
    _clean(activity)
    activity.save()
    _event(activity, actor, to_status=ActivityStatus.DECLARED)
    audit_record(actor=actor, action=Action.CREATE, obj=activity)
    return activity


def _transition(activity: SideActivity, target: str, actor: Actor, note: str = "") -> SideActivity:
    locked = SideActivity.objects.select_for_update().get(pk=activity.pk)
    if not can_transition(locked.status, target):
        raise ValidationError(
            _("A side activity that is %(current)s cannot become %(target)s.")
            % {
                "current": ActivityStatus(locked.status).label,
                "target": ActivityStatus(target).label,
            }
        )
    previous = locked.status
    locked.status = target
    return_fields = ["status", "updated_at"]
    if target == ActivityStatus.REGISTERED:
        locked.registered_on = timezone.localdate()
        return_fields.append("registered_on")
    locked.save(update_fields=return_fields)
    _event(locked, actor, from_status=previous, to_status=target, note=note)
    audit_record(actor=actor, action=Action.TRANSITION, obj=locked, reason=f"{previous}→{target}")
    return locked


@transaction.atomic
def side_activity_register(*, actor: Actor, activity: SideActivity, note: str = "") -> SideActivity:
    """The registrar records the declaration in the register (and thereby publishes it)."""
    _require(actor, caps.REGISTER, activity.organisation)
    return _transition(activity, ActivityStatus.REGISTERED, actor, note)


@transaction.atomic
def side_activity_withdraw(*, actor: Actor, activity: SideActivity, note: str = "") -> SideActivity:
    if not _is_own(actor, activity.declarant):
        _require(actor, caps.REGISTER, activity.organisation)
    return _transition(activity, ActivityStatus.WITHDRAWN, actor, note)


@transaction.atomic
def side_activity_end(
    *, actor: Actor, activity: SideActivity, end_date: date, note: str = ""
) -> SideActivity:
    if not _is_own(actor, activity.declarant):
        _require(actor, caps.REGISTER, activity.organisation)
    if end_date < activity.start_date:
        raise ValidationError({"end_date": _("The end date lies before the start date.")})
    locked = _transition(activity, ActivityStatus.ENDED, actor, note)
    locked.end_date = end_date
    locked.save(update_fields=["end_date", "updated_at"])
    return locked


@transaction.atomic
def side_activity_assess(
    *, actor: Actor, activity: SideActivity, decision: str, restrictions: str = "", note: str = ""
) -> SideActivity:
    """Allowed / allowed with restrictions / refused; every assessment stays in the history."""
    if activity.declarant.user_id is not None and activity.declarant.user_id == actor.pk:
        raise ValidationError(_("You cannot assess your own side activity."))
    _require(actor, caps.ASSESS_ACTIVITIES, activity.organisation)
    restrictions = restrictions.strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose an assessment from the list.")})
    if decision == Decision.RESTRICTED and not restrictions:
        raise ValidationError({"restrictions": _("Describe the restrictions.")})
    if decision != Decision.RESTRICTED and restrictions:
        raise ValidationError(
            {"restrictions": _("Restrictions belong only to 'allowed with restrictions'.")}
        )
    locked = SideActivity.objects.select_for_update().get(pk=activity.pk)
    if locked.status in (ActivityStatus.WITHDRAWN, ActivityStatus.ENDED):
        raise ValidationError(_("A withdrawn or ended side activity is no longer assessed."))
    locked.decision = decision
    locked.restrictions = restrictions
    locked.save(update_fields=["decision", "restrictions", "updated_at"])
    _event(locked, actor, decision=decision, restrictions=restrictions, note=note)
    audit_record(actor=actor, action=Action.UPDATE, obj=locked, reason=f"assessed: {decision}")
    return locked


@transaction.atomic
def income_record(
    *, actor: Actor, activity: SideActivity, year: int, amount: Decimal
) -> ActivityIncome:
    """Record (or correct) the income of one calendar year, for offices that publish it."""
    if not _is_own(actor, activity.declarant):
        _require(actor, caps.REGISTER, activity.organisation)
    rule = publication.rule_for(activity.declarant.office)
    today = timezone.localdate()
    if rule.income == publication.IncomeRule.NONE:
        raise ValidationError(_("Income is not recorded for this office."))
    if amount < 0:
        raise ValidationError({"amount": _("Income cannot be negative.")})
    if not activity.paid and amount > 0:
        raise ValidationError({"amount": _("This side activity was declared as unpaid.")})
    if year > today.year:
        raise ValidationError({"year": _("Income cannot be declared for a future year.")})
    if rule.income == publication.IncomeRule.YEARLY and year == today.year:
        raise ValidationError(
            {"year": _("Income is published per calendar year, after the year has ended.")}
        )
    if not publication.overlaps_year(activity.start_date, activity.end_date, year):
        raise ValidationError({"year": _("The side activity did not run in that year.")})
    SideActivity.objects.select_for_update().get(pk=activity.pk)
    income, created = ActivityIncome.objects.update_or_create(
        activity=activity, year=year, defaults={"amount": amount, "declared_on": today}
    )
    public_cache.changed(activity.organisation_id)
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=income,
        organisation=activity.organisation,
    )
    return income


# --- financial interests ----------------------------------------------------------------------


def must_declare_interests(declarant: Declarant) -> bool:
    function = declarant.designated_function
    return function is not None and function.financial_interests


@transaction.atomic
def financial_interest_declare(
    *,
    actor: Actor,
    declarant: Declarant,
    kind: str,
    holder: str,
    occasion: str,
    description: str,
    counterparty: str = "",
    kvk_number: str = "",
) -> FinancialInterest:
    """Only the holder of a designated function declares, for themselves."""
    if not _is_own(actor, declarant):
        raise PermissionDenied
    if not must_declare_interests(declarant):
        raise ValidationError(
            _("Your function is not designated for declaring financial interests.")
        )
    errors: dict[str, str] = {}
    if kind not in InterestKind.values:
        errors["kind"] = _("Choose a kind of interest.")
    if holder not in InterestHolder.values:
        errors["holder"] = _("Choose who holds the interest.")
    if occasion not in InterestOccasion.values:
        errors["occasion"] = _("Choose the occasion of the declaration.")
    if not description.strip():
        errors["description"] = _("Describe the interest.")
    if errors:
        raise ValidationError(errors)
    interest = FinancialInterest(
        organisation=declarant.organisation,
        declarant=declarant,
        kind=kind,
        holder=holder,
        occasion=occasion,
        description=description.strip(),
        counterparty=" ".join(counterparty.split()),
        kvk_number=kvk_number.strip(),
        declared_at=timezone.now(),
    )
    _clean(interest)
    interest.save()
    audit_record(actor=actor, action=Action.CREATE, obj=interest)
    return interest


@transaction.atomic
def financial_interest_assess(
    *, actor: Actor, interest: FinancialInterest, status: str, note: str
) -> FinancialInterest:
    _require(actor, caps.ASSESS_INTERESTS, interest.organisation)
    if status not in (InterestStatus.NO_CONFLICT, InterestStatus.MEASURES):
        raise ValidationError({"status": _("Choose an assessment from the list.")})
    if status == InterestStatus.MEASURES and not note.strip():
        raise ValidationError({"note": _("Describe the measures.")})
    locked = FinancialInterest.objects.select_for_update().get(pk=interest.pk)
    locked.status = status
    locked.assessment_note = note.strip()
    locked.assessed_at = timezone.now()
    locked.assessed_by = actor
    locked.save()
    audit_record(actor=actor, action=Action.UPDATE, obj=locked, reason=f"assessed: {status}")
    return locked


# --- gifts ------------------------------------------------------------------------------------


@transaction.atomic
def gift_register(
    *,
    actor: Actor,
    declarant: Declarant,
    received_on: date,
    description: str,
    giver: str,
    estimated_value: Decimal,
    disposition: str,
) -> Gift:
    if not _is_own(actor, declarant):
        _require(actor, caps.REGISTER, declarant.organisation)
    errors: dict[str, str] = {}
    if received_on > timezone.localdate():
        errors["received_on"] = _("A gift cannot be received in the future.")
    if estimated_value < 0:
        errors["estimated_value"] = _("The value cannot be negative.")
    if disposition not in GiftDisposition.values:
        errors["disposition"] = _("Choose what happened to the gift.")
    if errors:
        raise ValidationError(errors)
    gift = Gift(
        organisation=declarant.organisation,
        declarant=declarant,
        received_on=received_on,
        description=description.strip(),
        giver=giver.strip(),
        estimated_value=estimated_value,
        disposition=disposition,
        registered_at=timezone.now(),
    )
    _clean(gift)
    gift.save()
    public_cache.changed(gift.organisation_id)
    audit_record(actor=actor, action=Action.CREATE, obj=gift)
    return gift


# --- the yearly confirmation round ------------------------------------------------------------


@transaction.atomic
def confirmation_round_open(
    *, actor: Actor, organisation: Organisation, year: int, due_on: date
) -> ConfirmationRound:
    """Ask everyone currently in the register to confirm (or update) their declarations."""
    _require(actor, caps.REGISTER, organisation)
    today = timezone.localdate()
    if due_on <= today:
        raise ValidationError({"due_on": _("The due date must lie in the future.")})
    if ConfirmationRound.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError({"year": _("A round for this year has already been opened.")})
    round_ = ConfirmationRound.objects.create(
        organisation=organisation, year=year, opened_on=today, due_on=due_on
    )
    declarants = Declarant.objects.filter(organisation=organisation, left_on=None)
    Confirmation.objects.bulk_create(Confirmation(round=round_, declarant=d) for d in declarants)
    audit_record(actor=actor, action=Action.CREATE, obj=round_)
    return round_


@transaction.atomic
def confirmation_confirm(*, actor: Actor, declarant: Declarant) -> int:
    """The declarant confirms that the register is complete; returns the activities confirmed."""
    if not _is_own(actor, declarant):
        raise PermissionDenied
    item = (
        Confirmation.objects.select_for_update()
        .filter(declarant=declarant, confirmed_at=None)
        .order_by("-round__year")
        .first()
    )
    if item is None:
        raise ValidationError(_("There is no open confirmation round for you."))
    item.confirmed_at = timezone.now()
    item.save(update_fields=["confirmed_at"])
    count = SideActivity.objects.filter(
        declarant=declarant, status=ActivityStatus.REGISTERED
    ).update(confirmed_on=timezone.localdate())
    audit_record(actor=actor, action=Action.UPDATE, obj=declarant, reason="confirmed register")
    return count
