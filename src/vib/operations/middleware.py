"""A request id for every request, and one structured log line per request.

``X-Request-ID`` from the reverse proxy is kept when it looks like an id (so the proxy's and
our logs join up); otherwise a new one is made. It goes back in the response header and into
every log line written while the request is handled (``vib.operations.jsonlog``).

The request log line holds method, the URL *pattern* (``integriteit/zaken/<str:id>``, not the
path: no object ids, no query strings, nothing a visitor typed), status, duration, actor id
and organisation id; the client address only for authenticated users, never for anonymous
visitors (who may be reporters). What was read or changed is the audit log's job.

Routes marked with ``vib.core.anonymity.anonymous_route`` are recognised here, first, from the
URL: they get a fresh request id (not the proxy's, and not sent back), no line at all when
they succeed, and a line without actor, organisation or address when they fail; the log
formatters write only the day for every record of such a request (ADR 0090).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vib.core.anonymity import MARK, is_anonymous_path
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
        anonymous = is_anonymous_path(request.path_info)
        setattr(request, MARK, anonymous)
        incoming = "" if anonymous else request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        context = LogContext(request_id=request_id, request=request, anonymous=anonymous)
        token = current.set(context)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            if not anonymous:
                response[HEADER] = request_id
            self._log(request, response.status_code, started, anonymous=anonymous)
            return response
        finally:
            current.reset(token)

    @staticmethod
    def _log(request: HttpRequest, status: int, started: float, *, anonymous: bool) -> None:
        if request.path in ("/healthz", "/readyz") and status < 400:
            return  # probes every few seconds would drown everything else
        if anonymous and status < 500:
            return  # even a day-stamped line tells by its place among the others when it was
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
        if authenticated and not anonymous:
            extra["client"] = request.META.get("REMOTE_ADDR", "")
        level = logging.ERROR if status >= 500 else logging.INFO
        logger.log(level, "%s %s %s", request.method, route[:200], status, extra=extra)
