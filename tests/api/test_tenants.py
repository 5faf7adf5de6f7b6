"""The tenant rule through the API: another organisation's units answer like missing ones."""

from __future__ import annotations

import uuid

import pytest

from .conftest import assert_problem, token_client

pytestmark = pytest.mark.django_db


def test_a_member_sees_the_units_of_their_own_organisation(tenants):
    a = tenants["a"]
    response = token_client(a.token).get(f"/api/v1/organisaties/{a.organisation.id}/eenheden")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {unit["naam"] for unit in body["results"]} == {"Publiekszaken", "Handhaving"}
    assert set(body["results"][0]) == {"id", "naam", "onderdeelVan"}


def test_a_member_of_a_gets_404_for_the_units_of_b_like_for_a_missing_organisation(tenants):
    a, b = tenants["a"], tenants["b"]
    client = token_client(a.token)
    forbidden = client.get(f"/api/v1/organisaties/{b.organisation.id}/eenheden")
    missing = client.get(f"/api/v1/organisaties/{uuid.uuid4()}/eenheden")
    assert assert_problem(forbidden, 404) == {
        **assert_problem(missing, 404),
        "instance": forbidden.json()["instance"],
    }
    assert "Stadsbeheer" not in forbidden.content.decode()


def test_the_registry_itself_is_public(api_client, tenants):
    b = tenants["b"]
    listing = api_client.get("/api/v1/organisaties", {"zoek": "GM9902"})
    assert listing.status_code == 200
    assert [o["code"] for o in listing.json()["results"]] == ["GM9902"]
    detail = api_client.get(f"/api/v1/organisaties/{b.organisation.id}")
    assert detail.status_code == 200
    assert detail.json() == {
        "id": str(b.organisation.id),
        "code": "GM9902",
        "naam": "Testgemeente B",
        "bestuurslaag": "gemeente",
        "provincieCode": None,
        "inwoners": 45000,
        "grootteklasse": "s",
        "peildatum": "2026-01-01",
    }


def test_the_registry_filters_by_tier(api_client, tenants):
    response = api_client.get(
        "/api/v1/organisaties", {"bestuurslaag": "waterschap", "zoek": "GM99"}
    )
    assert response.status_code == 200
    assert response.json()["results"] == []
