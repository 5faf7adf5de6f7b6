from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    from vib.organisations.models import Organisation, Tier

    return Organisation.objects.create(
        code="GM9921",
        name="Beleiddorp",
        tier=Tier.GEMEENTE,
        inhabitants=30_000,
        reference_date=date(2026, 1, 1),
    )


@pytest.fixture
def person(org):
    from vib.accounts.services import role_assign, user_create

    def make(key: str, *roles: str, organisation=None):
        user = user_create(email=f"{key}@gov.test", full_name=key.title())
        for role in roles:
            role_assign(
                user=user, role=role, organisation=organisation or org, valid_from=date(2000, 1, 1)
            )
        return user

    return make
