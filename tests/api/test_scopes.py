"""API tokens are limited to their scopes (issue #15, item 11).

Before, a token opened every module its user could reach, read and write, for a year.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from vib.accounts.services import api_token_create
from vib.api.scopes import known_scopes

pytestmark = pytest.mark.django_db


def _client(user, scopes: list[str]) -> APIClient:
    _token, secret = api_token_create(owner=user, name="scoped", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    return client


BODY = {
    "soorten": ["bedreiging"],
    "kanaal": "persoonlijk",
    "plaats": "balie_kantoor",
    "ernst": "ernstig",
    "omschrijving": "Scheldpartij aan de balie.",
}


def test_a_token_reaches_only_the_modules_and_access_of_its_scopes(tenants):
    a = tenants["a"]
    units = f"/api/v1/organisaties/{a.organisation.id}/eenheden"
    body = {**BODY, "datumTijd": (timezone.now() - timedelta(hours=1)).isoformat()}

    reader = _client(a.member, ["organisations:read"])
    assert reader.get(units).status_code == 200
    refused = reader.get("/api/v1/incidenten")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    assert reader.post("/api/v1/incidenten", body, format="json").status_code == 403

    writer = _client(a.member, ["incidents:write"])
    created = writer.post("/api/v1/incidenten", body, format="json")
    assert created.status_code == 201, created.content
    assert writer.get(created["Location"]).status_code == 403  # write does not include read
    assert writer.get(units).status_code == 403

    both = _client(a.member, ["incidents:read", "incidents:write"])
    assert both.get(created["Location"]).status_code == 200


def test_a_session_and_the_public_resources_need_no_scope(tenants, client):
    a = tenants["a"]
    client.force_login(a.member)
    assert client.get(f"/api/v1/organisaties/{a.organisation.id}/eenheden").status_code == 200
    assert APIClient().get("/api/v1/organisaties").status_code == 200


def test_the_openapi_document_names_the_scopes():
    document = APIClient().get("/api/v1/openapi.json").json()
    description = document["components"]["securitySchemes"]["bearerAuth"]["description"]
    for scope in known_scopes():
        assert scope in description
    operation = document["paths"]["/incidenten"]["post"]
    assert "`incidents:write`" in operation["description"]
