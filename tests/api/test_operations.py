"""Every operation of the OpenAPI document answers bad input with problem+json.

The test reads the document the API serves, so a new endpoint is checked the moment it is
added: malformed ids in the path, unknown enum values and non-numbers in numeric query
parameters, invalid JSON and a wrong media type for write operations, missing and refused
credentials where security applies, and an unacceptable ``Accept``. Each answer must be
``application/problem+json`` with the right status, documented for that operation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from .conftest import assert_problem, token_client

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "patch", "delete"}
NO_OBJECT = "7e1b5a56-0c43-4c57-9a6e-3f1d2c9b8a70"
WRITES = {"put", "post", "patch"}


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                yield path, method, {**operation, "parameters": parameters}


def _schema(parameter: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    schema = parameter.get("schema", {})
    ref = schema.get("$ref") or next(
        (part["$ref"] for part in schema.get("allOf", []) if "$ref" in part), None
    )
    if ref:
        schema = {**document["components"]["schemas"][ref.rsplit("/", 1)[1]], **schema}
    return schema


def _url(base: str, path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return base + path


class Caller:
    """Sends a request for one operation and checks the problem answer."""

    def __init__(
        self,
        client: Any,
        method: str,
        operation: dict[str, Any],
        seen: Counter,
        *,
        missing_object: bool = False,
    ):
        self.client, self.method, self.operation, self.seen = client, method, operation, seen
        self.missing_object = missing_object

    def expect(self, kind: str, status: int, url: str, **kwargs: Any) -> dict[str, Any]:
        response = getattr(self.client, self.method)(url, **kwargs)
        if self.missing_object and response.status_code == 404 and status != 401:
            status = 404  # the object is looked up first; a missing one is a 404 either way
        body = assert_problem(response, status)
        if status == 401:
            assert response["WWW-Authenticate"].startswith("Bearer"), response.headers
        assert str(status) in self.operation["responses"], (
            f"{self.method.upper()} {url} answered {status}, which its operation does not document"
        )
        self.seen[kind] += 1
        return body


@pytest.fixture
def document(api_client) -> dict[str, Any]:
    return api_client.get("/api/v1/openapi.json").json()


def test_every_operation_answers_bad_input_with_problem_json(document, tenants):
    base = urlsplit(document["servers"][0]["url"]).path
    a = tenants["a"]
    # Valid values for every path parameter: objects the member of A may see.
    good_path = {"id": str(a.organisation.id)}
    member = token_client(a.token)
    seen: Counter[str] = Counter()
    operations = list(_operations(document))
    assert operations

    for path, method, operation in operations:
        parameters = operation["parameters"]
        path_names = [p["name"] for p in parameters if p["in"] == "path"]
        # Ids of other resources than organisations: a well-formed id of no object. Those
        # operations may answer 404 before they look at the rest of the request.
        known = path.startswith("/organisaties/")
        values = {
            name: good_path[name] if known else (NO_OBJECT if name == "id" else "ZZ9999")
            for name in path_names
        }
        missing = bool(path_names) and not known
        url = _url(base, path, values)
        call = Caller(member, method, operation, seen, missing_object=missing)

        # Malformed ids in the path: not found, never a crash.
        for name in path_names:
            for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", "1%20OR%201=1"):
                call.expect("path", 404, _url(base, path, {**values, name: bad}))

        # Query parameters: unknown enum values and non-numbers are a 400 naming the parameter.
        for parameter in (p for p in parameters if p["in"] == "query"):
            schema = _schema(parameter, document)
            bad_values = []
            if "enum" in schema:
                bad_values.append("no-such-value")
            if schema.get("type") == "integer":
                bad_values.extend(["abc", "-1", "0", "1.5"])
            for bad in bad_values:
                body = call.expect("query", 400, url, data={parameter["name"]: bad})
                if body["status"] == 404:
                    continue
                names = [p["name"] for p in body["invalidParams"]]
                assert parameter["name"] in names, (path, parameter["name"], body)

        # Write operations: broken JSON is a 400, another media type a 415.
        if method in WRITES:
            call.expect("body", 400, url, data=b'{"broken": ', content_type="application/json")
            call.expect("media", 415, url, data=b"a=b", content_type="text/plain")

        # Nothing but JSON is served.
        call.expect("accept", 406, url, HTTP_ACCEPT="application/xml")

        # Security: a refused token is always a 401; no credentials, where they are required.
        security = operation.get("security", [])
        if security:
            refused = Caller(
                token_client("vib_00000000_nonsense"),
                method,
                operation,
                seen,
                missing_object=missing,
            )
            refused.expect("refused", 401, url)
        if security and {} not in security:
            anonymous = Caller(APIClient(), method, operation, seen, missing_object=missing)
            anonymous.expect("anonymous", 401, url)

    # The document holds at least one operation of each kind the foundation has.
    for kind in ("path", "query", "accept", "refused", "anonymous"):
        assert seen[kind], f"no operation exercised {kind!r}: {seen}"
