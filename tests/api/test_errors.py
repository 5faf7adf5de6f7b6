"""Every error under /api is problem+json, and every answer under /api carries API-Version."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.conf import settings
from django.core.signals import got_request_exception
from rest_framework.throttling import BaseThrottle

from vib.organisations import api as organisations_api

from .conftest import assert_problem, token_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/whatever",
        "/api/v1/organisaties/",  # no trailing slashes
        "/api/v1/organisaties/x/y/z",
        "/api/v1/",
        "/api/v2/organisaties",  # outside the versioned URLconf: Django's own 404
        "/api/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_urls_are_a_problem_404(api_client, url, method):
    assert_problem(getattr(api_client, method)(url), 404)


def test_redirects_made_by_other_middleware_carry_the_version(api_client):
    response = api_client.get("/api/v1")  # CommonMiddleware's APPEND_SLASH redirect
    assert response["API-Version"] == settings.API_VERSION


def test_method_not_allowed(api_client):
    response = api_client.post("/api/v1/organisaties", {}, format="json")
    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_not_acceptable(api_client):
    assert_problem(api_client.get("/api/v1/organisaties", HTTP_ACCEPT="text/html"), 406)


def test_json_is_acceptable_with_wildcards_and_parameters(api_client, tenants):
    for accept in ("*/*", "application/*", "application/json; charset=utf-8"):
        assert api_client.get("/api/v1/organisaties", HTTP_ACCEPT=accept).status_code == 200


def test_unauthenticated_names_the_bearer_scheme(api_client, tenants):
    response = api_client.get(f"/api/v1/organisaties/{tenants['a'].organisation.id}/eenheden")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_refused_token_says_invalid_token(tenants):
    client = token_client("vib_deadbeef_wrong")
    response = client.get(f"/api/v1/organisaties/{tenants['a'].organisation.id}/eenheden")
    assert_problem(response, 401)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_invalid_query_parameters_are_listed(api_client):
    response = api_client.get(
        "/api/v1/organisaties", {"bestuurslaag": "kerk", "pageSize": "500", "zoek": "x" * 101}
    )
    body = assert_problem(response, 400)
    # The filter is validated first; all its bad parameters are reported together.
    assert {p["name"] for p in body["invalidParams"]} == {"bestuurslaag", "zoek"}
    assert {p["code"] for p in body["invalidParams"]} == {"invalid_choice", "max_length"}


def test_page_past_the_end_is_not_found(api_client, tenants):
    assert_problem(api_client.get("/api/v1/organisaties", {"page": 999}), 404)


def test_page_size_above_the_maximum_is_a_bad_request(api_client, tenants):
    body = assert_problem(api_client.get("/api/v1/organisaties", {"pageSize": 201}), 400)
    assert body["invalidParams"][0]["name"] == "pageSize"


class _AlwaysThrottled(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 42


def test_throttled_requests_get_a_problem_429_with_retry_after(api_client, monkeypatch):
    monkeypatch.setattr(
        organisations_api.OrganisationViewSet, "throttle_classes", [_AlwaysThrottled]
    )
    response = api_client.get("/api/v1/organisaties")
    assert_problem(response, 429)
    assert response["Retry-After"] == "42"


def test_a_crash_is_a_problem_500_and_is_logged(api_client, monkeypatch, caplog):
    def boom(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(organisations_api.selectors, "organisation_list", boom)
    reported: list[BaseException | None] = []

    def report(sender: Any, **kwargs: Any) -> None:
        reported.append(sys.exc_info()[1])

    # The handler reports the crash as Django does for its views (got_request_exception:
    # error trackers and the outage middleware listen); the test client would re-raise it,
    # where a real client gets the answer.
    api_client.raise_request_exception = False
    got_request_exception.connect(report)
    try:
        with caplog.at_level(logging.ERROR, logger="vib.api.errors"):
            body = assert_problem(api_client.get("/api/v1/organisaties"), 500)
    finally:
        got_request_exception.disconnect(report)
    assert "bug" not in body["detail"]  # no internals leak to the client
    assert any(record.exc_info for record in caplog.records)
    assert [type(exc) for exc in reported] == [RuntimeError]


def test_every_answer_under_api_carries_the_version(api_client, tenants):
    a = tenants["a"]
    member = token_client(a.token)
    answers = [
        api_client.get("/api/v1/openapi.json"),
        api_client.get("/api/v1/organisaties"),
        api_client.head("/api/v1/organisaties"),
        api_client.options("/api/v1/organisaties"),
        api_client.get(f"/api/v1/organisaties/{a.organisation.id}"),
        member.get(f"/api/v1/organisaties/{a.organisation.id}/eenheden"),
        api_client.get(f"/api/v1/organisaties/{a.organisation.id}/eenheden"),
        api_client.get("/api/v1/nothing-here"),
        api_client.get("/api/v9/"),
    ]
    for response in answers:
        assert response["API-Version"] == settings.API_VERSION, response
    assert "API-Version" not in api_client.get("/").headers


def test_a_body_that_is_not_json_is_a_400_with_invalid_params(rf):
    from rest_framework.exceptions import ParseError
    from rest_framework.request import Request

    from vib.api.errors import problem_exception_handler

    request = Request(rf.post("/api/v1/x", data=b"{", content_type="application/json"))
    response = problem_exception_handler(ParseError(), {"request": request})
    assert response is not None
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.data["invalidParams"] == [
        {"name": "body", "code": "parse_error", "reason": response.data["detail"]}
    ]


def test_a_body_over_the_upload_limit_with_a_session_is_a_problem_413(client, tenants):
    """Django raises RequestDataTooBig while DRF reads the body: it was an unhandled 500."""
    client.force_login(tenants["a"].member)
    body = b'{"x": "' + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    response = client.post(
        "/api/v1/incidenten",
        data=body,
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert_problem(response, 413)
    assert "te groot" in response.json()["detail"]  # Dutch by default
