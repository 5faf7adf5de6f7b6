"""Fixtures of the API tests: two small tenants with a member each, and token clients.

Built directly (not from the demo) so that the API tests stay fast and independent of the
demo data of other modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

PROBLEM = "application/problem+json"


@dataclass
class Tenant:
    organisation: Any
    units: list[Any]
    member: Any
    token: str


@pytest.fixture(autouse=True)
def _fresh_throttle_state():
    """Throttle counters live in the cache; no test may inherit another's."""
    cache.clear()
    yield
    cache.clear()


def _tenant(code: str, name: str, units: list[str]) -> Tenant:
    from vib.accounts.services import api_token_create, role_assign, user_create
    from vib.api.scopes import known_scopes
    from vib.organisations.models import Organisation, Tier
    from vib.organisations.services import unit_create

    organisation = Organisation.objects.create(
        code=code,
        name=name,
        tier=Tier.GEMEENTE,
        inhabitants=45_000,
        reference_date=date(2026, 1, 1),
    )
    made = [unit_create(organisation=organisation, name=unit) for unit in units]
    member = user_create(email=f"lid@{code.lower()}.test", full_name=f"Lid {name}")
    role_assign(user=member, role="reporter", organisation=organisation)
    _token, secret = api_token_create(owner=member, name="test", scopes=known_scopes())
    return Tenant(organisation=organisation, units=made, member=member, token=secret)


@pytest.fixture
def tenants(db) -> dict[str, Tenant]:
    return {
        "a": _tenant("GM9901", "Testgemeente A", ["Publiekszaken", "Handhaving"]),
        "b": _tenant("GM9902", "Testgemeente B", ["Stadsbeheer"]),
    }


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The answer is problem+json with ``status`` and carries the API version."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].split(";")[0] == PROBLEM, response["Content-Type"]
    assert response["API-Version"] == settings.API_VERSION
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    if status == 400:
        assert body["invalidParams"], body
        for param in body["invalidParams"]:
            assert {"name", "code", "reason"} <= param.keys()
    return body
