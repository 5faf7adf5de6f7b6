"""Fixtures of the integrity tests: a small world of two organisations and their people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache

from vib.accounts.models import User
from vib.accounts.services import role_assign, user_create
from vib.organisations.models import Organisation, Tier


@pytest.fixture(autouse=True)
def _clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    a: Organisation
    b: Organisation
    people: dict[str, User]


ROLES = {
    "officer": ["integrity_officer"],
    "investigator": ["investigator"],
    "adviser": ["confidential_adviser"],
    "secretaris": ["secretaris"],
    "colleague": ["reporter"],
    "admin": ["org_admin"],
    "manager": ["manager"],
}


def _org(code: str, name: str, tier: str = Tier.GEMEENTE) -> Organisation:
    return Organisation.objects.create(
        code=code, name=name, tier=tier, reference_date=date(2026, 1, 1)
    )


@pytest.fixture
def world(db: Any) -> World:
    a = _org("GM9001", "Testgemeente A")
    b = _org("GM9002", "Testgemeente B")
    people: dict[str, User] = {}
    for org_key, org in (("a", a), ("b", b)):
        for key, roles in ROLES.items():
            user = user_create(
                email=f"{key}-{org_key}@example.nl",
                full_name=f"{key.title()} {org_key.upper()}",
                password="a-long-test-password",
            )
            for role in roles:
                role_assign(user=user, role=role, organisation=org, valid_from=date(2020, 1, 1))
            people[f"{key}_{org_key}"] = user
    analyst = user_create(email="analyst@example.nl", full_name="Analyst", password="x" * 16)
    role_assign(user=analyst, role="sector_analyst", organisation=None, valid_from=date(2020, 1, 1))
    people["analyst"] = analyst
    return World(a=a, b=b, people=people)
