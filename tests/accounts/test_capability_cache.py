"""Capability checks read once per block: the same answers as one query per check, and never
an answer from before a role changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vib.accounts import selectors
from vib.accounts.models import RoleAssignment, RoleCapability, User
from vib.accounts.roles import ORG_MANAGE, ORG_VIEW_MEMBERS, ORG_VIEW_UNITS, SECTOR_AGGREGATES
from vib.accounts.selectors import capabilities_read_once, has_capability
from vib.accounts.services import role_assign, user_create
from vib.organisations.models import Organisation, Unit

pytestmark = pytest.mark.django_db


def _capability_queries(queries: CaptureQueriesContext) -> int:
    return sum("accounts_rolecapability" in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def person() -> User:
    return user_create(email="cache@example.nl", full_name="Cache Test")


@pytest.fixture
def orgs(demo: Any) -> tuple[Organisation, Organisation]:
    return demo.shared["tenants"]["a"], demo.shared["tenants"]["b"]


def test_every_answer_in_a_block_is_the_answer_of_the_query(demo: Any) -> None:
    """Every demo person x every granted capability x no, each and another organisation."""
    users = list(User.objects.filter(email__endswith="@demo.vib.nl").order_by("email"))
    codes = sorted(set(RoleCapability.objects.values_list("capability", flat=True)))
    organisations: list[Organisation | None] = [None, *demo.shared["tenants"].values()]
    assert len(users) >= 20
    assert len(codes) >= 20
    expected = {
        (user.pk, code, getattr(org, "pk", None)): has_capability(user, code, org)
        for user in users
        for code in codes
        for org in organisations
    }
    assert any(expected.values())
    assert not all(expected.values())
    with CaptureQueriesContext(connection) as queries, capabilities_read_once():
        cached = {
            (user.pk, code, getattr(org, "pk", None)): has_capability(user, code, org)
            for user in users
            for code in codes
            for org in organisations
        }
    assert cached == expected
    assert len(queries) == len(users)  # one read per person


def test_one_query_for_many_checks_and_none_after_the_block(
    person: User, orgs: tuple[Organisation, Organisation]
) -> None:
    a, b = orgs
    role_assign(user=person, role="org_admin", organisation=a)
    with CaptureQueriesContext(connection) as queries, capabilities_read_once():
        assert has_capability(person, ORG_MANAGE, a)
        assert has_capability(person, ORG_VIEW_MEMBERS)
        assert not has_capability(person, ORG_MANAGE, b)
        assert not has_capability(person, SECTOR_AGGREGATES)
        with capabilities_read_once():  # nested: shares the outer reads
            assert has_capability(person, ORG_VIEW_UNITS, a)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as after:
        assert has_capability(person, ORG_MANAGE, a)
    assert len(after) == 1  # outside a block every check asks the database


def test_role_assign_inside_a_block_is_seen_at_once(
    person: User, orgs: tuple[Organisation, Organisation]
) -> None:
    a, _b = orgs
    with capabilities_read_once():
        assert not has_capability(person, ORG_MANAGE, a)
        role_assign(user=person, role="org_admin", organisation=a)
        assert has_capability(person, ORG_MANAGE, a)


def test_a_role_ended_between_checks_on_the_same_user_object_is_seen(
    person: User, orgs: tuple[Organisation, Organisation]
) -> None:
    """No cache lives on the user object: a role ended by any write (an access review, the SSO
    role sync, the admin) is seen by the next check, and by the next block."""
    a, _b = orgs
    assignment = role_assign(user=person, role="org_admin", organisation=a)
    with capabilities_read_once():
        assert has_capability(person, ORG_MANAGE, a)
    assert has_capability(person, ORG_MANAGE, a)
    RoleAssignment.objects.filter(pk=assignment.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert not has_capability(person, ORG_MANAGE, a)
    with capabilities_read_once():
        assert not has_capability(person, ORG_MANAGE, a)
        assert not has_capability(person, ORG_MANAGE)


@pytest.mark.parametrize("cached", [False, True])
def test_the_rules_hold_with_and_without_the_block(
    person: User, orgs: tuple[Organisation, Organisation], cached: bool
) -> None:
    a, b = orgs
    today = timezone.localdate()
    unit = Unit.objects.filter(organisation=a).first()
    assert unit is not None
    role_assign(user=person, role="org_admin", organisation=a, unit=unit)  # unit-bound: counts
    future = role_assign(user=person, role="org_admin", organisation=b)
    RoleAssignment.objects.filter(pk=future.pk).update(valid_from=today + timedelta(days=1))
    analyst = user_create(email="analyst@example.nl", full_name="Analyst")
    role_assign(user=analyst, role="sector_analyst", organisation=None)
    inactive = user_create(email="inactive@example.nl", full_name="Inactive")
    role_assign(user=inactive, role="org_admin", organisation=a)
    inactive.is_active = False

    def answers() -> list[bool]:
        return [
            has_capability(person, ORG_MANAGE, a),
            has_capability(person, ORG_MANAGE, b),  # not yet valid
            has_capability(person, ORG_MANAGE),
            has_capability(person, SECTOR_AGGREGATES),
            has_capability(analyst, SECTOR_AGGREGATES),  # held outside any organisation
            has_capability(analyst, SECTOR_AGGREGATES, a),
            has_capability(inactive, ORG_MANAGE, a),
            has_capability(AnonymousUser(), ORG_MANAGE, a),
            has_capability(person, "no.such_capability"),
        ]

    expected = [True, False, True, False, True, False, False, False, False]
    if cached:
        with capabilities_read_once():
            assert answers() == expected
    else:
        assert answers() == expected


def test_the_switch_turns_the_block_off(
    person: User, orgs: tuple[Organisation, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b = orgs
    monkeypatch.setattr(selectors, "CACHE_CAPABILITIES", False)
    with CaptureQueriesContext(connection) as queries, capabilities_read_once():
        has_capability(person, ORG_MANAGE, a)
        has_capability(person, ORG_MANAGE)
    assert _capability_queries(queries) == 2
