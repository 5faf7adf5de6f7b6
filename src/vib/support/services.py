"""All writes of the support desk.

Every service is keyword-only and typed, validates before it writes (a ``ValidationError``
with a translatable message, nothing saved), locks the request it changes with
``select_for_update``, keeps the status history append-only and records an audit event —
filed outside the office holder's organisation (ADR 0041).

Callers obtain the objects through ``vib.access.support``; the services check the actor's
part in the case once more (an adviser closes, any case member writes to the conversation).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor, User
from vib.accounts.selectors import has_capability, organisations_of
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.organisations.models import Organisation
from vib.support import capabilities as caps
from vib.support import codes, referrals
from vib.support.models import (
    AllowanceYear,
    CaseMember,
    HelpRequest,
    HomeSecurity,
    Instrument,
    Message,
    PlanAction,
    Referral,
    RequestFact,
    SecurityMeasure,
    StatusChange,
    SupportTeam,
    TeamMember,
)
from vib.support.selectors import team_for
from vib.support.workflow import can_transition

MAX_TEXT = 5000
MAX_SUMMARY = 2000
NO_ORGANISATION = ""  # ADR 0041: support events are not filed under the organisation


def _audit(actor: Actor, action: Action, obj: Any, reason: str = "") -> None:
    audit_record(actor=actor, action=action, obj=obj, organisation=NO_ORGANISATION, reason=reason)


def _text(value: str, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError(
            {field: _("Please keep this under %(limit)d characters.") % {"limit": limit}}
        )
    return value


def _choice(value: str, choices: type[Any], field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the options.")})
    return value


def _locked(help_request: HelpRequest) -> HelpRequest:
    return HelpRequest.objects.select_for_update().get(pk=help_request.pk)


def _membership(help_request: HelpRequest, actor: Actor) -> CaseMember | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return (
        CaseMember.objects.filter(
            request=help_request,
            member__user=actor,
            member__active=True,
            member__team__active=True,
        )
        .select_related("member")
        .first()
    )


def _require_case_member(help_request: HelpRequest, actor: Actor) -> CaseMember:
    membership = _membership(help_request, actor)
    if membership is None:
        raise PermissionDenied
    return membership


def _require_adviser(help_request: HelpRequest, actor: Actor) -> CaseMember:
    membership = _require_case_member(help_request, actor)
    if membership.role != codes.MemberRole.ADVISER:
        raise PermissionDenied
    return membership


def _require_open(help_request: HelpRequest) -> None:
    if help_request.status == codes.Status.CLOSED:
        raise ValidationError(_("This request is closed. Reopen it first."))


def _transition(help_request: HelpRequest, *, to: str, actor: Actor, note: str = "") -> None:
    if not can_transition(help_request.status, to):
        raise ValidationError(_("This step is not possible in the current status."))
    StatusChange.objects.create(
        request=help_request,
        at=timezone.now(),
        actor=actor,
        from_status=help_request.status,
        to_status=to,
        note=note[:300],
    )
    help_request.status = to
    _audit(actor, Action.TRANSITION, help_request, reason=f"{to}")


# Asking for help -----------------------------------------------------------------------------


def _check_request(
    *, function: str, theme: str, urgency: str, contact: str, description: str, contact_details: str
) -> None:
    """The request's own fields: every choice known, a description, contact details when the
    desk is to phone or mail."""
    errors: dict[str, str] = {}
    for name, value, choices in (
        ("function", function, codes.Function),
        ("theme", theme, codes.Theme),
        ("urgency", urgency, codes.Urgency),
        ("contact", contact, codes.Contact),
    ):
        if value not in choices.values:
            errors[name] = _("Choose one of the options.")
    if not description:
        errors["description"] = _("Tell us briefly what happened.")
    elif len(description) > MAX_TEXT:
        errors["description"] = _("Please keep this under %(limit)d characters.") % {
            "limit": MAX_TEXT
        }
    if contact in (codes.Contact.PHONE, codes.Contact.EMAIL) and not contact_details:
        errors["contact_details"] = _("Tell us the phone number or e-mail address to use.")
    if errors:
        raise ValidationError(errors)


def _check_who_asks(*, submitted_by: Any, office_holder: Any, organisation: Organisation) -> None:
    """The asker holds a role in the organisation; asking for someone else takes the capability
    and an office holder of that organisation."""
    if not organisations_of(submitted_by).filter(pk=organisation.pk).exists():
        raise ValidationError(_("You hold no role in this organisation."))
    if office_holder.pk == submitted_by.pk:
        return
    if not has_capability(submitted_by, caps.REQUEST_ON_BEHALF, organisation):
        raise PermissionDenied
    if not organisations_of(office_holder).filter(pk=organisation.pk).exists():
        raise ValidationError(
            {"office_holder": _("This person holds no office in your organisation.")}
        )


@transaction.atomic
def help_request_submit(
    *,
    submitted_by: Any,
    organisation: Organisation,
    function: str,
    theme: str,
    urgency: str,
    description: str,
    contact: str,
    contact_details: str = "",
    office_holder: Any | None = None,
    wants_scan: bool = False,
    wants_allowance: bool = False,
) -> HelpRequest:
    """An office holder asks for help — or their griffier or secretaris does it for them."""
    office_holder = office_holder or submitted_by
    description = (description or "").strip()
    contact_details = (contact_details or "").strip()[:200]
    _check_request(
        function=function,
        theme=theme,
        urgency=urgency,
        contact=contact,
        description=description,
        contact_details=contact_details,
    )
    _check_who_asks(
        submitted_by=submitted_by, office_holder=office_holder, organisation=organisation
    )
    team = team_for(organisation)
    if team is None:
        raise ValidationError(
            _("No support team serves your organisation yet. Please call the national line.")
        )
    now = timezone.now()
    help_request = HelpRequest.objects.create(
        organisation=organisation,
        team=team,
        office_holder=office_holder,
        submitted_by=submitted_by,
        function=function,
        theme=theme,
        urgency=urgency,
        description=description,
        contact=contact,
        contact_details=contact_details,
        submitted_at=now,
    )
    StatusChange.objects.create(
        request=help_request, at=now, actor=submitted_by, to_status=codes.Status.SUBMITTED
    )
    if wants_scan or wants_allowance:
        HomeSecurity.objects.create(
            request=help_request, wants_scan=wants_scan, wants_allowance=wants_allowance
        )
    RequestFact.objects.create(
        request=help_request,
        team=team,
        month=now.date().replace(day=1),
        tier=organisation.tier,
        function=function,
        theme=theme,
        urgency=urgency,
    )
    _audit(submitted_by, Action.CREATE, help_request)
    return help_request


# The team takes it on ------------------------------------------------------------------------


def _add_member(
    help_request: HelpRequest, member: TeamMember, role: str, actor: Actor
) -> CaseMember:
    if CaseMember.objects.filter(request=help_request, member=member).exists():
        raise ValidationError({"member": _("This person already works on the request.")})
    case_member = CaseMember.objects.create(
        request=help_request, member=member, role=role, added_at=timezone.now(), added_by=actor
    )
    _audit(actor, Action.UPDATE, help_request, reason=f"member added: {member.pk} ({role})")
    return case_member


@transaction.atomic
def case_take_on(*, help_request: HelpRequest, actor: Actor) -> CaseMember:
    """An adviser of the request's team takes it on as its confidential adviser."""
    help_request = _locked(help_request)
    member = TeamMember.objects.filter(
        team=help_request.team, user=actor, role=codes.MemberRole.ADVISER, active=True
    ).first()
    if member is None:
        raise PermissionDenied
    return _assign(help_request, member, actor)


@transaction.atomic
def case_assign_adviser(
    *, help_request: HelpRequest, member: TeamMember, actor: Actor
) -> CaseMember:
    """The team's coordinator assigns one of the team's advisers."""
    help_request = _locked(help_request)
    if not TeamMember.objects.filter(
        team=help_request.team, user=actor, role=codes.MemberRole.COORDINATOR, active=True
    ).exists():
        raise PermissionDenied
    if (
        member.team_id != help_request.team_id
        or member.role != codes.MemberRole.ADVISER
        or not member.active
    ):
        raise ValidationError({"member": _("Choose an active adviser of this team.")})
    return _assign(help_request, member, actor)


def _assign(help_request: HelpRequest, member: TeamMember, actor: Actor) -> CaseMember:
    if CaseMember.objects.filter(request=help_request, role=codes.MemberRole.ADVISER).exists():
        raise ValidationError(_("Another adviser has already taken this request on."))
    case_member = _add_member(help_request, member, codes.MemberRole.ADVISER, actor)
    _transition(help_request, to=codes.Status.IN_PROGRESS, actor=actor)
    help_request.save(update_fields=["status", "updated_at"])
    return case_member


@transaction.atomic
def case_add_expert(*, help_request: HelpRequest, member: TeamMember, actor: Actor) -> CaseMember:
    help_request = _locked(help_request)
    _require_adviser(help_request, actor)
    _require_open(help_request)
    if member.role != codes.MemberRole.EXPERT or not member.active or not member.team.active:
        raise ValidationError({"member": _("Choose an active expert.")})
    return _add_member(help_request, member, codes.MemberRole.EXPERT, actor)


# The conversation and the plan ---------------------------------------------------------------


@transaction.atomic
def message_add(
    *,
    help_request: HelpRequest,
    actor: Actor,
    text: str,
    internal: bool = False,
    records_contact: bool = False,
) -> Message:
    """A message in the conversation: from a case member (optionally team-only) or the office
    holder. A case member's message may record contact; the first sets the time to first
    contact for the statistics."""
    help_request = _locked(help_request)
    text = _text(text, "text")
    is_office_holder = actor.pk == help_request.office_holder_id
    if _membership(help_request, actor) is None:
        if not is_office_holder:
            raise PermissionDenied
        internal = records_contact = False
    message = Message.objects.create(
        request=help_request,
        author=actor,
        text=text,
        internal=internal,
        records_contact=records_contact,
    )
    if records_contact and help_request.first_contact_at is None:
        help_request.first_contact_at = message.created_at
        help_request.save(update_fields=["first_contact_at", "updated_at"])
        hours = (help_request.first_contact_at - help_request.submitted_at).total_seconds() / 3600
        RequestFact.objects.filter(request=help_request).update(
            hours_to_first_contact=round(hours, 2)
        )
    _audit(actor, Action.CREATE, message)
    return message


@transaction.atomic
def plan_action_add(
    *,
    help_request: HelpRequest,
    actor: Actor,
    description: str,
    follow_up_on: date | None,
    owner: TeamMember | None = None,
) -> PlanAction:
    help_request = _locked(help_request)
    _require_case_member(help_request, actor)
    _require_open(help_request)
    description = _text(description, "description", limit=1000)
    if follow_up_on is None:
        raise ValidationError({"follow_up_on": _("Give a follow-up date.")})
    if follow_up_on < timezone.localdate():
        raise ValidationError({"follow_up_on": _("The follow-up date cannot be in the past.")})
    if (
        owner is not None
        and not CaseMember.objects.filter(request=help_request, member=owner).exists()
    ):
        raise ValidationError({"owner": _("Choose someone who works on this request.")})
    action = PlanAction.objects.create(
        request=help_request, description=description, owner=owner, follow_up_on=follow_up_on
    )
    _audit(actor, Action.CREATE, action)
    return action


@transaction.atomic
def plan_action_complete(*, action: PlanAction, actor: Actor) -> PlanAction:
    _locked(action.request)
    _require_case_member(action.request, actor)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    if action.done_at is not None:
        raise ValidationError(_("This action is already done."))
    action.done_at = timezone.now()
    action.save(update_fields=["done_at", "updated_at"])
    _audit(actor, Action.UPDATE, action, reason="done")
    return action


# Referral, only with consent -----------------------------------------------------------------


@transaction.atomic
def referral_propose(
    *, help_request: HelpRequest, actor: Actor, target: str, shared_summary: str
) -> Referral:
    """The adviser proposes a referral and writes exactly what the organisation will be told."""
    help_request = _locked(help_request)
    _require_adviser(help_request, actor)
    _require_open(help_request)
    target = _choice(target, codes.ReferralTarget, "target")
    shared_summary = _text(shared_summary, "shared_summary", limit=MAX_SUMMARY)
    if Referral.objects.filter(
        request=help_request,
        target=target,
        status__in=[codes.ReferralStatus.PROPOSED, codes.ReferralStatus.CONSENTED],
    ).exists():
        raise ValidationError(_("A referral of this kind is already waiting."))
    referral = Referral.objects.create(
        request=help_request, target=target, shared_summary=shared_summary, proposed_by=actor
    )
    _audit(actor, Action.CREATE, referral)
    return referral


@transaction.atomic
def referral_decide(*, referral: Referral, actor: Actor, consent: bool) -> Referral:
    """Only the office holder themselves gives or refuses consent — not a griffier, not the team."""
    _locked(referral.request)
    referral = Referral.objects.select_for_update().select_related("request").get(pk=referral.pk)
    if referral.request.office_holder_id != actor.pk:
        raise PermissionDenied
    if referral.status != codes.ReferralStatus.PROPOSED:
        raise ValidationError(_("You have already decided on this referral."))
    referral.status = codes.ReferralStatus.CONSENTED if consent else codes.ReferralStatus.DECLINED
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "decided_at", "updated_at"])
    _audit(actor, Action.UPDATE, referral, reason=f"consent: {referral.status}")
    return referral


@transaction.atomic
def referral_create_linked(*, referral: Referral, actor: Actor) -> Referral:
    """After consent, create the linked record in the organisation's own process.

    The other module is reached through its services only (``vib.support.referrals``); what
    it receives is the consented summary, the office holder as the person concerned, and
    nothing of the conversation.
    """
    help_request = _locked(referral.request)
    _require_adviser(help_request, actor)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != codes.ReferralStatus.CONSENTED:
        raise ValidationError(_("The office holder has not consented to this referral."))
    link = referrals.create_linked(
        target=referral.target,
        help_request=help_request,
        summary=referral.shared_summary,
        actor=actor,
    )
    referral.status = codes.ReferralStatus.CREATED
    referral.linked_object_type = link.object_type
    referral.linked_object_id = link.object_id
    referral.linked_at = timezone.now()
    referral.save(
        update_fields=[
            "status",
            "linked_object_type",
            "linked_object_id",
            "linked_at",
            "updated_at",
        ]
    )
    _audit(actor, Action.UPDATE, referral, reason=f"linked {link.object_type} {link.object_id}")
    return referral


# Closing --------------------------------------------------------------------------------------


@transaction.atomic
def case_close(*, help_request: HelpRequest, actor: Actor, note: str = "") -> HelpRequest:
    help_request = _locked(help_request)
    _require_adviser(help_request, actor)
    _transition(
        help_request,
        to=codes.Status.CLOSED,
        actor=actor,
        note=_text(note, "note", required=False, limit=300),
    )
    help_request.closed_at = timezone.now()
    help_request.save(update_fields=["status", "closed_at", "updated_at"])
    return help_request


@transaction.atomic
def case_reopen(*, help_request: HelpRequest, actor: Actor, note: str = "") -> HelpRequest:
    help_request = _locked(help_request)
    _require_adviser(help_request, actor)
    _transition(help_request, to=codes.Status.IN_PROGRESS, actor=actor, note=note[:300])
    help_request.closed_at = None
    help_request.save(update_fields=["status", "closed_at", "updated_at"])
    return help_request


@transaction.atomic
def request_rate(
    *, help_request: HelpRequest, actor: Actor, score: int | str | None
) -> HelpRequest:
    """The short satisfaction question, answered once by the office holder after closing."""
    help_request = _locked(help_request)
    if help_request.office_holder_id != actor.pk:
        raise PermissionDenied
    if help_request.status != codes.Status.CLOSED:
        raise ValidationError(_("You can rate the support once the request is closed."))
    if help_request.satisfaction is not None:
        raise ValidationError(_("You have already answered this question. Thank you."))
    try:
        value = int(score)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"score": _("Choose a score from 1 to 5.")})
    help_request.satisfaction = value
    help_request.save(update_fields=["satisfaction", "updated_at"])
    _audit(actor, Action.UPDATE, help_request, reason="satisfaction")
    return help_request


# Home security ---------------------------------------------------------------------------------


@transaction.atomic
def home_security_request(
    *, help_request: HelpRequest, actor: Actor, wants_scan: bool, wants_allowance: bool
) -> HomeSecurity:
    """Ask for a home-security scan and/or the allowance (office holder or case member)."""
    help_request = _locked(help_request)
    if help_request.office_holder_id != actor.pk:
        _require_case_member(help_request, actor)
    _require_open(help_request)
    if not (wants_scan or wants_allowance):
        raise ValidationError(_("Choose the scan, the allowance or both."))
    home, _created = HomeSecurity.objects.get_or_create(request=help_request)
    home.wants_scan = home.wants_scan or wants_scan
    home.wants_allowance = home.wants_allowance or wants_allowance
    home.save()
    _audit(actor, Action.UPDATE, home, reason="requested")
    return home


@transaction.atomic
def home_security_record_scan(
    *, help_request: HelpRequest, actor: Actor, scan_on: date | None, advice: str
) -> HomeSecurity:
    help_request = _locked(help_request)
    _require_case_member(help_request, actor)
    advice = _text(advice, "advice")
    if scan_on is None:
        raise ValidationError({"scan_on": _("Give the date of the scan.")})
    if scan_on > timezone.localdate():
        raise ValidationError({"scan_on": _("The scan cannot be in the future.")})
    home, _created = HomeSecurity.objects.get_or_create(request=help_request)
    home.wants_scan = True
    home.scan_on = scan_on
    home.scan_advice = advice
    home.save()
    _audit(actor, Action.UPDATE, home, reason="scan")
    return home


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in euros, e.g. 450.00.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount > Decimal("1000000"):
        raise ValidationError({field: _("Enter an amount in euros, e.g. 450.00.")})
    return amount


@transaction.atomic
def measure_approve(
    *,
    help_request: HelpRequest,
    actor: Actor,
    description: str,
    amount: Any,
    approved_on: date | None = None,
) -> SecurityMeasure:
    """Approve a home-security measure under the allowance, within the yearly cap.

    The cap holds per office holder per calendar year (of approval), over all their requests.
    The office holder's ``AllowanceYear`` row is the lock root: it is created if needed and
    then locked with ``select_for_update``, so two approvals at the same moment are counted
    one after the other and can never exceed the cap together (ADR 0043).
    """
    help_request = _locked(help_request)
    _require_adviser(help_request, actor)
    _require_open(help_request)
    description = _text(description, "description", limit=500)
    value = _amount(amount, "amount")
    approved_on = approved_on or timezone.localdate()
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": _("The approval date cannot be in the future.")})
    AllowanceYear.objects.get_or_create(
        office_holder_id=help_request.office_holder_id,
        year=approved_on.year,
        defaults={"cap": codes.ALLOWANCE_CAP},
    )
    year = AllowanceYear.objects.select_for_update().get(
        office_holder_id=help_request.office_holder_id, year=approved_on.year
    )
    if year.approved_total + value > year.cap:
        raise ValidationError(
            {
                "amount": _(
                    "This would exceed the yearly cap of € %(cap)s: € %(remaining)s is left "
                    "for %(year)d."
                )
                % {"cap": year.cap, "remaining": year.remaining, "year": year.year}
            }
        )
    home, _created = HomeSecurity.objects.get_or_create(request=help_request)
    if not home.wants_allowance:
        home.wants_allowance = True
        home.save(update_fields=["wants_allowance", "updated_at"])
    measure = SecurityMeasure.objects.create(
        home_security=home,
        allowance_year=year,
        description=description,
        amount_approved=value,
        approved_on=approved_on,
        approved_by=actor,
    )
    year.approved_total += value
    year.save(update_fields=["approved_total"])
    _audit(actor, Action.CREATE, measure, reason=f"approved {value}")
    return measure


@transaction.atomic
def measure_record_payment(
    *, measure: SecurityMeasure, actor: Actor, amount: Any, paid_on: date | None
) -> SecurityMeasure:
    help_request = _locked(measure.home_security.request)
    _require_adviser(help_request, actor)
    measure = SecurityMeasure.objects.select_for_update().get(pk=measure.pk)
    value = _amount(amount, "amount")
    if value > measure.amount_approved:
        raise ValidationError({"amount": _("The payment cannot be more than the approved amount.")})
    if paid_on is None:
        raise ValidationError({"paid_on": _("Give the payment date.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    if measure.amount_paid is not None:
        raise ValidationError(_("The payment is already recorded."))
    measure.amount_paid = value
    measure.paid_on = paid_on
    measure.save(update_fields=["amount_paid", "paid_on", "updated_at"])
    _audit(actor, Action.UPDATE, measure, reason=f"paid {value}")
    return measure


# The library -----------------------------------------------------------------------------------


@transaction.atomic
def instrument_save(
    *,
    actor: Actor,
    instrument: Instrument | None = None,
    kind: str,
    theme: str = "",
    title_nl: str,
    title_en: str = "",
    summary_nl: str,
    summary_en: str = "",
    body_nl: str = "",
    body_en: str = "",
    link: str = "",
    published: bool = True,
) -> Instrument:
    """Add or change an instrument of the library: the support team maintains it."""
    if not TeamMember.objects.filter(user=actor, active=True, team__active=True).exists():
        raise PermissionDenied
    obj = (
        Instrument.objects.select_for_update().get(pk=instrument.pk)
        if instrument is not None
        else Instrument()
    )
    obj.kind = kind
    obj.theme = theme
    obj.title_nl = (title_nl or "").strip()
    obj.title_en = (title_en or "").strip()
    obj.summary_nl = (summary_nl or "").strip()
    obj.summary_en = (summary_en or "").strip()
    obj.body_nl = (body_nl or "").strip()
    obj.body_en = (body_en or "").strip()
    obj.link = (link or "").strip()
    obj.published = published
    obj.updated_by = actor
    obj.full_clean(exclude=["updated_by"])
    obj.save()
    audit_record(actor=actor, action=Action.UPDATE if instrument else Action.CREATE, obj=obj)
    return obj


# Teams (for the admin command line and the demo) -----------------------------------------------


@transaction.atomic
def team_create(
    *, name: str, scope: str, phone: str, region: Organisation | None = None
) -> SupportTeam:
    team = SupportTeam(name=name, scope=scope, phone=phone, region=region)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def team_member_add(
    *, team: SupportTeam, person: User, role: str, expertise: str = ""
) -> TeamMember:
    member = TeamMember(team=team, user=person, role=role, expertise=expertise)
    member.full_clean()
    member.save()
    audit_record(actor=None, action=Action.CREATE, obj=member, reason="team member added")
    return member
