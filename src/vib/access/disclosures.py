"""The door to the register's confidential objects (side activities, financial interests, gifts).

* Side activities and gifts: the declarant themselves, the registrar and (activities only) the
  assessors of the organisation.
* Financial interests: the compliance officer of the organisation — and the declarant's own
  receipt of what they submitted (ADR 0032). Nobody else, not even the registrar.
* Declarants: the registrar, and each person their own entry.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from vib.access.base import fetch_audited
from vib.accounts.selectors import capability_organisations
from vib.disclosures import capabilities as caps
from vib.disclosures.models import Declarant, FinancialInterest, Gift, SideActivity


def _own(user: Any, path: str) -> Q:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    return Q(**{path: user.pk})


def _scoped[M: Model](qs: QuerySet[M], organisation: Any | None) -> QuerySet[M]:
    return qs.filter(organisation=organisation) if organisation is not None else qs


def declarants_visible_to(user: Any, organisation: Any | None = None) -> QuerySet[Declarant]:
    qs = Declarant.objects.filter(
        Q(organisation__in=capability_organisations(user, caps.REGISTER)) | _own(user, "user_id")
    )
    return _scoped(qs, organisation).select_related("designated_function", "organisation")


def access_declarant(
    *, user: Any, id: Any, request: Any | None = None, reason: str = ""
) -> Declarant:
    return fetch_audited(
        declarants_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="disclosures.declarant",
    )


def side_activities_visible_to(
    user: Any, organisation: Any | None = None
) -> QuerySet[SideActivity]:
    qs = SideActivity.objects.filter(
        Q(organisation__in=capability_organisations(user, caps.REGISTER))
        | Q(organisation__in=capability_organisations(user, caps.ASSESS_ACTIVITIES))
        | _own(user, "declarant__user_id")
    )
    return _scoped(qs, organisation).select_related("declarant", "organisation")


def access_side_activity(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> SideActivity:
    return fetch_audited(
        side_activities_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="disclosures.sideactivity",
    )


def financial_interests_visible_to(
    user: Any, organisation: Any | None = None
) -> QuerySet[FinancialInterest]:
    qs = FinancialInterest.objects.filter(
        Q(organisation__in=capability_organisations(user, caps.ASSESS_INTERESTS))
        | _own(user, "declarant__user_id")
    )
    return _scoped(qs, organisation).select_related("declarant", "organisation")


def access_financial_interest(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> FinancialInterest:
    return fetch_audited(
        financial_interests_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="disclosures.financialinterest",
    )


def gifts_visible_to(user: Any, organisation: Any | None = None) -> QuerySet[Gift]:
    qs = Gift.objects.filter(
        Q(organisation__in=capability_organisations(user, caps.REGISTER))
        | _own(user, "declarant__user_id")
    )
    return _scoped(qs, organisation).select_related("declarant", "organisation")


def access_gift(*, user: Any, id: Any, request: Any | None = None, reason: str = "") -> Gift:
    return fetch_audited(
        gifts_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="disclosures.gift",
    )
