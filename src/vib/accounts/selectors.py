"""Reads about people and their roles."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from vib.accounts.models import IdentityProvider, RoleAssignment, User
from vib.organisations.models import Organisation

# Whoever a request is for: the selectors answer "nothing" for someone not logged in.
type Person = User | AnonymousUser


def _current() -> Q:
    today = timezone.localdate()
    return Q(valid_from__lte=today) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def assignments_of(user: Person) -> QuerySet[RoleAssignment]:
    if not user.is_authenticated:
        return RoleAssignment.objects.none()
    return (
        RoleAssignment.objects.filter(_current(), user=user, user__is_active=True)
        .select_related("role", "organisation", "unit")
        .order_by("organisation__name", "role__order")
    )


def organisations_of(user: Person) -> QuerySet[Organisation]:
    """The organisations in which the user currently holds a role."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=RoleAssignment.objects.filter(_current(), user=user).values("organisation_id")
    ).order_by("name")


def capability_organisations(user: Person, capability: str) -> QuerySet[Organisation]:
    """Organisations in which one of the user's current roles grants ``capability`` (SQL)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=RoleAssignment.objects.filter(
            _current(), user=user, role__capabilities__capability=capability
        ).values("organisation_id")
    )


def has_capability(user: Person, capability: str, organisation: Organisation | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    qs = RoleAssignment.objects.filter(
        _current(), user=user, role__capabilities__capability=capability
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.exists()


def role_codes(user: Person, organisation: Organisation | None) -> set[str]:
    if not user.is_authenticated:
        return set()
    qs = RoleAssignment.objects.filter(_current(), user=user)
    qs = qs.filter(organisation=organisation) if organisation else qs
    return set(qs.values_list("role_id", flat=True))


# Modules whose people see personal data outside organisation roles (the support team)
# register a rule here from their AppConfig.ready().
_SECOND_FACTOR_RULES: list[Callable[[Person], bool]] = []


def require_second_factor_when(rule: Callable[[Person], bool]) -> None:
    if rule not in _SECOND_FACTOR_RULES:
        _SECOND_FACTOR_RULES.append(rule)


def requires_second_factor(user: Person) -> bool:
    """Platform admins, holders of a role that sees personal data, and whoever a module's rule
    names (e.g. support-team members) need a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if RoleAssignment.objects.filter(
        _current(), user=user, role__requires_second_factor=True
    ).exists():
        return True
    return any(rule(user) for rule in _SECOND_FACTOR_RULES)


def identity_providers_for_login() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(enabled=True, organisation__active=True).select_related(
        "organisation"
    )
