"""The OpenAPI document: public, valid OpenAPI 3, and true to the API's conventions."""

from __future__ import annotations

import pytest
from django.conf import settings
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

OPENAPI = "/api/v1/openapi.json"


@pytest.fixture
def document(api_client):
    response = api_client.get(OPENAPI)
    assert response.status_code == 200
    return response.json()


def test_the_document_is_served_without_authentication_as_json(api_client):
    response = api_client.get(OPENAPI)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in {
        "application/json",
        "application/vnd.oai.openapi+json",
    }
    assert response["API-Version"] == settings.API_VERSION
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_document_validates_as_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)


def test_the_document_is_served_even_with_a_bad_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer vib_nonsense_secret")
    assert api_client.get(OPENAPI).status_code == 200


def test_server_url_carries_the_major_version_and_paths_are_relative(document):
    assert document["servers"][0]["url"].endswith("/api/v1")
    assert document["info"]["version"] == settings.API_VERSION
    assert document["paths"]
    for path in document["paths"]:
        assert not path.startswith("/api/"), path
        assert not path.endswith("/"), path


def test_every_operation_documents_the_version_header_and_problem_errors(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"406", "429", "500"} <= responses.keys(), (method, path)
            for code, response in responses.items():
                assert "API-Version" in response["headers"], (method, path, code)
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"]


def test_token_authentication_is_described(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
