"""OpenAPI post-processing: the conventions of ``docs/api.md`` applied to every operation.

* paths are relative to the server URL (``/api/v1``), which carries the major version;
* the served document names its own origin as server; the generated file keeps ``/api/v1``;
* every 2xx/3xx response documents the ``API-Version`` header;
* every operation documents its error answers as ``application/problem+json``
  (``Problem``): 400 when it takes parameters or a body, 401 when security applies, 403 when
  authentication is required, 404 when it has path parameters or pages (a page past the end),
  415 when it takes a body, and
  406, 429 and 500 always.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri-reference",
            "description": "Identifies the problem type; `about:blank` for plain HTTP errors.",
            "example": "about:blank",
        },
        "title": {"type": "string", "example": "Not Found"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599, "example": 404},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The path of the request."},
        "invalidParams": {
            "type": "array",
            "description": "With status 400: what was wrong with which parameter.",
            "items": {
                "type": "object",
                "required": ["name", "code", "reason"],
                "properties": {
                    "name": {"type": "string", "example": "bestuurslaag"},
                    "code": {"type": "string", "example": "invalid_choice"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}

VERSION_HEADER: dict[str, Any] = {
    "description": "The full version of the API (semantic versioning).",
    "schema": {"type": "string", "example": settings.API_VERSION},
}

_ERRORS = {
    "400": "Bad request: invalid input (see `invalidParams`).",
    "401": "Not authenticated, or the token was refused.",
    "403": "Not allowed.",
    "404": "Not found (or not visible to you).",
    "406": "Not acceptable: only application/json is served.",
    "415": "Unsupported media type: send application/json.",
    "429": "Too many requests; see `Retry-After`.",
    "500": "Internal server error.",
}

_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

API_BASE = "/api/v1"


def _error_codes(operation: dict[str, Any], path_item: dict[str, Any]) -> list[str]:
    parameters = [*path_item.get("parameters", []), *operation.get("parameters", [])]
    has_body = "requestBody" in operation
    security = operation.get("security", [])
    codes = []
    if parameters or has_body:
        codes.append("400")
    if security:
        codes.append("401")
        if {} not in security:
            codes.append("403")
    if any(p.get("in") == "path" for p in parameters) or any(
        p.get("in") == "query" and p.get("name") == "page" for p in parameters
    ):
        codes.append("404")  # a missing object, or a page past the end of a list
    codes.append("406")
    if has_body:
        codes.append("415")
    codes.extend(["429", "500"])
    return codes


def _relative_paths(result: dict[str, Any]) -> None:
    paths = result.get("paths", {})
    result["paths"] = {
        (key[len(API_BASE) :] or "/") if key.startswith(API_BASE + "/") else key: value
        for key, value in paths.items()
    }


def add_standard_headers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    request = kwargs.get("request")
    result["servers"] = [
        {
            "url": request.build_absolute_uri(API_BASE) if request is not None else API_BASE,
            "description": "This installation of VIB",
        }
    ]
    _relative_paths(result)
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("headers", {})["API-Version"] = VERSION_HEADER
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    version = {"API-Version": {"$ref": "#/components/headers/API-Version"}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                if code.startswith(("2", "3")):
                    response.setdefault("headers", {}).update(version)
                    response["description"] = response.get("description") or "OK"
            for code in _error_codes(operation, path_item):
                responses.setdefault(code, {"description": _ERRORS[code]})
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    response["content"] = problem
                    response["headers"] = dict(version)
                    response["description"] = response.get("description") or _ERRORS.get(
                        code, "Error."
                    )
            operation["responses"] = dict(sorted(responses.items()))
    return result


class ScopedAutoSchema(AutoSchema):
    """Every operation that a token needs a scope for says which (``vib.api.scopes``)."""

    def get_description(self) -> str:  # type: ignore[override]  # drf-spectacular's signature
        from vib.api.scopes import ScopedIsAuthenticated, TokenScope, scope_for

        description = super().get_description() or ""
        permissions = self.view.get_permissions()
        # A tuple, not ``A | B``: DRF's permission classes make ``|`` a combined permission.
        scoped = (ScopedIsAuthenticated, TokenScope)
        if not any(isinstance(p, scoped) for p in permissions):
            return description
        scope = scope_for(self.view, self.method)
        note = f"With an API token: needs the scope `{scope}`."
        return f"{description}\n\n{note}" if description else note
