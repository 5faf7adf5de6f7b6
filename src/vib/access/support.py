"""The door to the support desk's confidential objects (ADR 0040, 0041).

The support team works across organisations, so nothing here asks for a capability in the
office holder's organisation — that organisation sees nothing of a request:

* a **case** (the request with its conversation, plan, referrals and home security) opens to
  the team members *assigned to it* (``CaseMember``), while their membership and their team
  are active — not to the rest of the team, and never to the office holder's organisation;
* the **office holder** sees their own request (without the team's internal notes, which the
  views leave out) and decides on referrals;
* the **intake queue** of a team — requests nobody has taken on yet — shows its advisers and
  coordinator the metadata needed to take one on (theme, urgency, function, organisation,
  time), never the description: the queue is deferred from it and renders none of it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet

from vib.accounts.selectors import has_capability
from vib.audit.models import Action, Result
from vib.audit.services import audit_record
from vib.core.errors import NotFound
from vib.support import capabilities as caps
from vib.support.codes import MemberRole, Status
from vib.support.models import (
    HelpRequest,
    PlanAction,
    Referral,
    SecurityMeasure,
    SupportTeam,
    TeamMember,
)

NOTHING = Q(pk__in=[])

#: Support events are not filed under the office holder's organisation: an organisation's
#: audit trail must not reveal that one of its office holders asked for help (ADR 0041).
NO_ORGANISATION = ""


def fetch_audited[M: Model](
    visible: QuerySet[M],
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
    object_type: str,
) -> M:
    """``vib.access.base.fetch_audited``, but audited outside the office holder's organisation."""
    try:
        obj = visible.get(pk=id)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        audit_record(
            actor=user,
            action=Action.READ,
            object_type=object_type,
            object_id=str(id)[:64],
            organisation=NO_ORGANISATION,
            result=Result.DENIED,
            request=request,
            reason=reason,
        )
        raise NotFound from None
    audit_record(
        actor=user,
        action=Action.READ,
        obj=obj,
        object_type=object_type,
        organisation=NO_ORGANISATION,
        request=request,
        reason=reason,
    )
    return obj


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def memberships_of(user: Any) -> QuerySet[TeamMember]:
    """The user's active memberships of active teams."""
    if not _authenticated(user):
        return TeamMember.objects.none()
    return TeamMember.objects.filter(user=user, active=True, team__active=True).select_related(
        "team"
    )


def is_team_member(user: Any) -> bool:
    return memberships_of(user).exists()


def intake_teams_of(user: Any) -> QuerySet[SupportTeam]:
    """Teams whose intake queue the user works: as adviser or coordinator."""
    return SupportTeam.objects.filter(
        id__in=memberships_of(user)
        .filter(role__in=[MemberRole.ADVISER, MemberRole.COORDINATOR])
        .values("team_id")
    )


def coordinated_teams_of(user: Any) -> QuerySet[SupportTeam]:
    return SupportTeam.objects.filter(
        id__in=memberships_of(user).filter(role=MemberRole.COORDINATOR).values("team_id")
    )


def cases_visible_to(user: Any) -> QuerySet[HelpRequest]:
    """Requests the user works on as an assigned, active team member (need-to-know)."""
    if not _authenticated(user):
        return HelpRequest.objects.none()
    assigned = HelpRequest.objects.filter(
        case_members__member__in=memberships_of(user).values("id")
    ).values("id")
    return HelpRequest.objects.filter(id__in=assigned).select_related(
        "organisation", "team", "office_holder"
    )


def access_case(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> HelpRequest:
    return fetch_audited(
        cases_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="support.helprequest",
    )


def own_requests_visible_to(user: Any) -> QuerySet[HelpRequest]:
    """The office holder's own requests (also those a griffier submitted for them)."""
    if not _authenticated(user):
        return HelpRequest.objects.none()
    return HelpRequest.objects.filter(office_holder=user).select_related("team", "organisation")


def access_own_request(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> HelpRequest:
    return fetch_audited(
        own_requests_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="support.helprequest",
    )


def intake_queue_visible_to(user: Any) -> QuerySet[HelpRequest]:
    """Requests of the user's teams that nobody has taken on yet; without their free text."""
    if not _authenticated(user):
        return HelpRequest.objects.none()
    return (
        HelpRequest.objects.filter(
            team__in=intake_teams_of(user),
            status=Status.SUBMITTED,
        )
        .exclude(case_members__role=MemberRole.ADVISER)
        .defer("description", "contact_details")
        .select_related("organisation", "team")
    )


def access_intake_request(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> HelpRequest:
    return fetch_audited(
        intake_queue_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="support.helprequest",
    )


def _in_cases(user: Any) -> Q:
    return Q(request__in=cases_visible_to(user).values("id")) if _authenticated(user) else NOTHING


def access_case_action(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> PlanAction:
    return fetch_audited(
        PlanAction.objects.filter(_in_cases(user)).select_related("request"),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="support.planaction",
    )


def access_case_referral(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> Referral:
    return fetch_audited(
        Referral.objects.filter(_in_cases(user)).select_related("request"),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="support.referral",
    )


def access_own_referral(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> Referral:
    """A referral of the user's own request: only the office holder decides on consent."""
    qs = (
        Referral.objects.filter(request__office_holder=user)
        if _authenticated(user)
        else Referral.objects.none()
    )
    return fetch_audited(
        qs.select_related("request"),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="support.referral",
    )


def access_case_measure(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> SecurityMeasure:
    qs = (
        SecurityMeasure.objects.filter(
            home_security__request__in=cases_visible_to(user).values("id")
        )
        if _authenticated(user)
        else SecurityMeasure.objects.none()
    )
    return fetch_audited(
        qs.select_related("home_security__request", "allowance_year"),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="support.securitymeasure",
    )


def experts_available_to(user: Any) -> QuerySet[TeamMember]:
    """Experts a case member may add: active experts of any active team."""
    if not is_team_member(user):
        return TeamMember.objects.none()
    return TeamMember.objects.filter(
        role=MemberRole.EXPERT, active=True, team__active=True, user__is_active=True
    ).select_related("user", "team")


def advisers_available_to(user: Any) -> QuerySet[TeamMember]:
    """Advisers a coordinator may assign: the active advisers of the teams they coordinate."""
    return TeamMember.objects.filter(
        team__in=coordinated_teams_of(user),
        role=MemberRole.ADVISER,
        active=True,
        user__is_active=True,
    ).select_related("user", "team")


def statistics_teams_for(user: Any) -> tuple[bool, QuerySet[SupportTeam]]:
    """(may see the national figures, teams whose own figures the user may see)."""
    national = _authenticated(user) and has_capability(user, caps.VIEW_STATISTICS)
    return national, coordinated_teams_of(user)


def case_team_of(help_request: HelpRequest) -> QuerySet[TeamMember]:
    """The team members working on a request (the case was opened through this module)."""
    return TeamMember.objects.filter(cases__request=help_request).select_related("user", "team")


def on_behalf_candidates(user: Any, organisation: Any) -> QuerySet[Any]:
    """People a griffier or secretaris may ask for help for: the organisation's members."""
    from vib.access.organisations import members_visible_to
    from vib.accounts.models import User

    if organisation is None or not has_capability(user, caps.REQUEST_ON_BEHALF, organisation):
        return User.objects.none()
    assignments = members_visible_to(user, organisation)
    return User.objects.filter(id__in=assignments.values("user_id"), is_active=True).order_by(
        "full_name"
    )
