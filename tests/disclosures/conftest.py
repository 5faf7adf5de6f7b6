"""Fixtures of the disclosures tests: a small municipality built directly (fast), English
messages (the msgids) and a router URLconf for the API until the shell wires ``register``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class Town:
    organisation: Any
    other: Any
    people: dict[str, Any]


def _person(key: str, organisation: Any, roles: list[str], function: str = "") -> Any:
    from vib.accounts.services import role_assign, user_create

    user = user_create(email=f"{key}@{organisation.code.lower()}.test", full_name=key.title())
    for role in roles:
        role_assign(
            user=user,
            role=role,
            organisation=organisation,
            function=function,
            valid_from=date(2000, 1, 1),
        )
    return user


@pytest.fixture
def town(db) -> Town:
    from vib.organisations.models import Organisation, Tier

    organisation = Organisation.objects.create(
        code="GM9911",
        name="Proefdorp",
        tier=Tier.GEMEENTE,
        inhabitants=30_000,
        reference_date=date(2026, 1, 1),
    )
    other = Organisation.objects.create(
        code="GM9912",
        name="Buurdorp",
        tier=Tier.GEMEENTE,
        inhabitants=31_000,
        reference_date=date(2026, 1, 1),
    )
    people = {
        key: _person(key, organisation, roles)
        for key, roles in {
            "registrar": ["reporter", "registrar"],
            "compliance": ["reporter", "compliance_officer"],
            "manager": ["reporter", "manager"],
            "secretaris": ["reporter", "secretaris"],
            "griffier": ["reporter", "griffier"],
            "wethouder": ["reporter"],
            "raadslid": ["reporter"],
            "official": ["reporter"],
            "employee": ["reporter"],
        }.items()
    }
    people["other_registrar"] = _person("other_registrar", other, ["registrar"])
    people["other_compliance"] = _person("other_compliance", other, ["compliance_officer"])
    return Town(organisation=organisation, other=other, people=people)
