"""OpenAPI post-processing: version header on every success, problem+json on every error."""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}

VERSION_HEADER = {
    "API-Version": {
        "description": "The full version of the API (semver).",
        "schema": {"type": "string", "example": "1.0.0"},
    }
}

_ERRORS = {
    "400": "Bad request: invalid input.",
    "401": "Not authenticated.",
    "403": "Not allowed.",
    "404": "Not found (or not visible to you).",
    "406": "Not acceptable.",
    "429": "Too many requests.",
    "500": "Internal server error.",
}


def add_standard_headers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("headers", {}).update(VERSION_HEADER)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in list(responses.items()):
                if code.startswith(("2", "3")):
                    response.setdefault("headers", {})["API-Version"] = {
                        "$ref": "#/components/headers/API-Version"
                    }
            for code, description in _ERRORS.items():
                if code == "401" and not operation.get("security"):
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "headers": {},
                        "content": {"application/problem+json": {"schema": ref}},
                    },
                )
                responses[code].pop("headers", None)
                responses[code]["content"] = {"application/problem+json": {"schema": ref}}
    return result
