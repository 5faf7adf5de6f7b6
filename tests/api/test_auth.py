"""Token authentication for machine clients."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vib.accounts.services import api_token_create
from vib.api.scopes import known_scopes

from .conftest import assert_problem, token_client

pytestmark = pytest.mark.django_db


def _units_url(tenant):
    return f"/api/v1/organisaties/{tenant.organisation.id}/eenheden"


def test_a_valid_token_authenticates_and_records_its_use(tenants):
    a = tenants["a"]
    response = token_client(a.token).get(_units_url(a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    token = a.member.api_tokens.get()
    assert token.last_used_at is not None


def test_the_scheme_is_case_insensitive(tenants):
    a = tenants["a"]
    client = token_client(a.token)
    client.credentials(HTTP_AUTHORIZATION=f"bearer {a.token}")
    assert client.get(_units_url(a)).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer vib_",
        "Bearer vib_00000000_x",
        "Bearer not-a-vib-token",
        "Bearer vib_a_b c",
    ],
)
def test_invalid_tokens_are_refused(tenants, header, api_client):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    assert_problem(api_client.get(_units_url(tenants["a"])), 401)


def test_a_token_with_a_wrong_secret_is_refused(tenants):
    a = tenants["a"]
    prefix = a.token.split("_")[1]
    assert_problem(token_client(f"vib_{prefix}_{'x' * 43}").get(_units_url(a)), 401)


def test_an_expired_token_is_refused(tenants):
    a = tenants["a"]
    token = a.member.api_tokens.get()
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert_problem(token_client(a.token).get(_units_url(a)), 401)


def test_a_token_that_expires_later_works(tenants):
    a = tenants["a"]
    token = a.member.api_tokens.get()
    token.expires_at = timezone.now() + timedelta(days=1)
    token.save()
    assert token_client(a.token).get(_units_url(a)).status_code == 200


def test_the_token_of_an_inactive_user_is_refused(tenants):
    a = tenants["a"]
    a.member.is_active = False
    a.member.save()
    assert_problem(token_client(a.token).get(_units_url(a)), 401)


def test_a_bad_token_is_refused_on_public_endpoints_too(api_client):
    """A client that sends credentials learns that they are wrong, not silently ignored."""
    assert_problem(token_client("vib_00000000_x").get("/api/v1/organisaties"), 401)


def test_other_schemes_are_not_ours(api_client, tenants):
    api_client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert_problem(api_client.get(_units_url(tenants["a"])), 401)


def test_session_authentication_works_for_the_web_client(client, tenants):
    a = tenants["a"]
    client.force_login(a.member)
    assert client.get(_units_url(a)).status_code == 200


def test_the_secret_is_not_stored(tenants):
    a = tenants["a"]
    token, secret = api_token_create(owner=a.member, name="second", scopes=known_scopes())
    token.refresh_from_db()
    assert secret not in {token.digest, token.prefix, token.name}
