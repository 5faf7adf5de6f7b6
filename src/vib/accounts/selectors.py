"""Reads about people and their roles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from vib.accounts.models import (
    GrantKind,
    GrantStatus,
    IdentityProvider,
    RoleAssignment,
    RoleGrantRequest,
    User,
)
from vib.accounts.roles import ORG_MANAGE
from vib.organisations.models import Organisation

# Whoever a request is for: the selectors answer "nothing" for someone not logged in.
type Person = User | AnonymousUser


def in_force() -> Q:
    """Role assignments valid today: ``valid_from`` reached, ``valid_until`` not passed."""
    today = timezone.localdate()
    return Q(valid_from__lte=today) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def assignments_of(user: Person) -> QuerySet[RoleAssignment]:
    if not user.is_authenticated:
        return RoleAssignment.objects.none()
    return (
        RoleAssignment.objects.filter(in_force(), user=user, user__is_active=True)
        .select_related("role", "organisation", "unit")
        .order_by("organisation__name", "role__order")
    )


def organisations_of(user: Person) -> QuerySet[Organisation]:
    """The organisations in which the user currently holds a role."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=RoleAssignment.objects.filter(in_force(), user=user).values("organisation_id")
    ).order_by("name")


def capability_organisations(user: Person, capability: str) -> QuerySet[Organisation]:
    """Organisations in which one of the user's current roles grants ``capability`` (SQL)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        id__in=RoleAssignment.objects.filter(
            in_force(), user=user, role__capabilities__capability=capability
        ).values("organisation_id")
    )


def capability_holders(organisation_id: Any, *capabilities: str) -> QuerySet[User]:
    """The active people who currently hold one of ``capabilities`` in the organisation (SQL)."""
    return User.objects.filter(
        is_active=True,
        id__in=RoleAssignment.objects.filter(
            in_force(),
            organisation_id=organisation_id,
            role__capabilities__capability__in=capabilities,
        ).values("user_id"),
    )


# --- capability checks, read once per block -------------------------------------------------
#
# A page's shell asks ``has_capability`` once per menu item and start-page card (about 30
# checks). Inside ``capabilities_read_once()`` the first check for a user reads all of that
# user's current grants in one query and the others are answered from them. The block is
# explicit and short (the navigation opens it around its own checks) rather than a cache on
# the user object: roles also change outside ``role_assign`` (access reviews, SSO role sync,
# the admin, tests that roll back between checks), and a grant read before such a change must
# never answer after it.

#: Benchmarks switch this off to measure the shell with one query per check, as before.
CACHE_CAPABILITIES = True

# Within a block: user id -> capability -> ids of the organisations in which the user's
# current roles grant it (``None``: a role held outside any organisation).
type _Grants = dict[str, frozenset[Any]]
_grants: ContextVar[dict[Any, _Grants] | None] = ContextVar("vib_capability_grants", default=None)


@contextmanager
def capabilities_read_once() -> Iterator[None]:
    """Within this block ``has_capability`` reads each user's current grants once.

    Keep the block free of role changes other than through ``role_assign`` (which makes the
    block read the user's grants again). Nested blocks share the outer block's reads.
    """
    if _grants.get() is not None:
        yield
        return
    token = _grants.set({})
    try:
        yield
    finally:
        _grants.reset(token)


def forget_capabilities(user: Person) -> None:
    """Make an open ``capabilities_read_once()`` block read ``user``'s grants again."""
    cache = _grants.get()
    if cache is not None:
        cache.pop(getattr(user, "pk", None), None)


def _read_grants(user: User) -> _Grants:
    rows = RoleAssignment.objects.filter(in_force(), user=user).values_list(
        "role__capabilities__capability", "organisation_id"
    )
    by_capability: dict[str, set[Any]] = {}
    for capability, organisation_id in rows:
        if capability is not None:  # a role without capabilities
            by_capability.setdefault(capability, set()).add(organisation_id)
    return {code: frozenset(ids) for code, ids in by_capability.items()}


def _cached_answer(user: Person, capability: str, organisation: Organisation | None) -> bool | None:
    """The answer from the open block's grants, or ``None`` to ask the database."""
    cache = _grants.get()
    if cache is None or not CACHE_CAPABILITIES or not isinstance(user, User) or user.pk is None:
        return None
    if organisation is not None and not (
        isinstance(organisation, Organisation) and organisation.pk is not None
    ):
        return None  # anything unusual: the query decides, as it always did
    grants = cache.get(user.pk)
    if grants is None:
        grants = cache[user.pk] = _read_grants(user)
    held_in = grants.get(capability)
    if not held_in:
        return False
    return organisation is None or organisation.pk in held_in


def has_capability(user: Person, capability: str, organisation: Organisation | None = None) -> bool:
    """Whether one of the user's current roles grants ``capability`` — in ``organisation``,
    or, without one, anywhere (including roles held outside any organisation)."""
    if not user.is_authenticated or not user.is_active:
        return False
    cached = _cached_answer(user, capability, organisation)
    if cached is not None:
        return cached
    qs = RoleAssignment.objects.filter(
        in_force(), user=user, role__capabilities__capability=capability
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.exists()


def role_codes(user: Person, organisation: Organisation | None) -> set[str]:
    if not user.is_authenticated:
        return set()
    qs = RoleAssignment.objects.filter(in_force(), user=user)
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
        in_force(), user=user, role__requires_second_factor=True
    ).exists():
        return True
    return any(rule(user) for rule in _SECOND_FACTOR_RULES)


def identity_providers_for_login() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(enabled=True, organisation__active=True).select_related(
        "organisation"
    )


def grant_requests_to_decide(
    user: Person, organisation: Organisation | None
) -> QuerySet[RoleGrantRequest]:
    """Pending grants ``user`` may approve: those of ``organisation`` when they manage it;
    for platform admins also roles outside organisations and capabilities. Never their own
    requests, never grants for themselves."""
    if not user.is_authenticated or not user.is_active:
        return RoleGrantRequest.objects.none()
    wanted = Q(pk__in=[])
    if organisation is not None and has_capability(user, ORG_MANAGE, organisation):
        wanted |= Q(kind=GrantKind.ROLE, organisation=organisation, role__organisation_bound=True)
    if user.is_staff:
        wanted |= Q(kind=GrantKind.ADD_CAPABILITY) | Q(
            kind=GrantKind.ROLE, role__organisation_bound=False
        )
    return (
        RoleGrantRequest.objects.filter(wanted, status=GrantStatus.PENDING)
        .exclude(requested_by=user)
        .exclude(user=user)
        .select_related("role", "user", "organisation", "unit", "requested_by")
        .order_by("created_at")
    )
