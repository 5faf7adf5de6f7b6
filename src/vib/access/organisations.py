"""Access to an organisation's internal structure: its units and its members (role holders)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vib.access.base import fetch_audited
from vib.accounts.models import RoleAssignment
from vib.accounts.roles import ORG_VIEW_MEMBERS, ORG_VIEW_UNITS
from vib.accounts.selectors import capability_organisations
from vib.organisations.models import Unit


def units_visible_to(user: Any, organisation: Any | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(organisation__in=capability_organisations(user, ORG_VIEW_UNITS))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation", "parent")


def units_of_organisation(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
) -> QuerySet[Unit]:
    """The units of one organisation; ``NotFound`` unless the user may see them there."""
    organisation = fetch_audited(
        capability_organisations(user, ORG_VIEW_UNITS),
        user=user,
        id=id,
        request=request,
        object_type="organisations.organisation",
    )
    return units_visible_to(user, organisation)


def access_unit(*, user: Any, id: Any, request: Any | None = None, reason: str = "") -> Unit:
    return fetch_audited(
        units_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="organisations.unit",
    )


def members_visible_to(user: Any, organisation: Any | None = None) -> QuerySet[RoleAssignment]:
    qs = RoleAssignment.objects.filter(
        organisation__in=capability_organisations(user, ORG_VIEW_MEMBERS)
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("user", "role", "organisation", "unit")


def access_member(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> RoleAssignment:
    return fetch_audited(
        members_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="accounts.roleassignment",
    )
