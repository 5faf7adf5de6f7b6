"""A request id for every request, and one structured log line per request.

``X-Request-ID`` from the reverse proxy is kept when it looks like an id (so the proxy's and
our logs join up); otherwise a new one is made. It goes back in the response header and into
every log line written while the request is handled (``vib.operations.jsonlog``).

The request log line holds method, the URL *pattern* (``integriteit/zaken/<str:id>``, not the
path: no object ids, no query strings, nothing a visitor typed), status, duration, actor id
and organisation id; the client address only for authenticated users, never for anonymous
visitors (who may be reporters). What was read or changed is the audit log's job.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vib.operations.jsonlog import LogContext, current

logger = logging.getLogger("vib.request")

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _outcome(status: int) -> str:
    if status >= 500:
        return "failure"
    if status in (401, 403):
        return "denied"
    return "success"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current.set(LogContext(request_id=request_id, request=request))
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            self._log(request, response.status_code, started)
            return response
        finally:
            current.reset(token)

    @staticmethod
    def _log(request: HttpRequest, status: int, started: float) -> None:
        if request.path in ("/healthz", "/readyz") and status < 400:
            return  # probes every few seconds would drown everything else
        user = request.__dict__.get("user")
        wrapped = getattr(user, "_wrapped", user)
        authenticated = getattr(wrapped, "is_authenticated", False) is True
        match = getattr(request, "resolver_match", None)
        route = getattr(match, "route", None) or "(unmatched)"
        extra: dict[str, object] = {
            "event": "request",
            "method": request.method,
            "route": route[:200],
            "status": status,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "outcome": _outcome(status),
        }
        if authenticated:
            extra["client"] = request.META.get("REMOTE_ADDR", "")
        level = logging.ERROR if status >= 500 else logging.INFO
        logger.log(level, "%s %s %s", request.method, route[:200], status, extra=extra)
