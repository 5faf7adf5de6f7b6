"""The API's envelope: ``API-Version`` on every answer, problem+json for every error.

* Every response under ``/api/`` carries the full version in ``API-Version`` (NL GOV
  /core/version-header), errors and redirects included.
* An error that Django answered itself (an unknown ``/api/…`` path outside ``/api/v1/``, a
  crash outside a DRF view, a CSRF refusal) would be an HTML page; it is replaced by an
  ``application/problem+json`` body with the same status.

Put this middleware **first** in ``MIDDLEWARE`` so that it also sees the answers other
middleware makes on its own (``CommonMiddleware``'s slash redirect, the HTTPS redirect).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from vib.api.errors import PROBLEM, problem_response

API_PREFIX = "/api/"


def is_api_path(path: str) -> bool:
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


class ApiVersionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_path(request.path):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(PROBLEM):
            replacement = problem_response(request, response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            response = replacement
        response["API-Version"] = settings.API_VERSION
        return response
