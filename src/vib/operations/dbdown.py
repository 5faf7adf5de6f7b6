"""503 with ``Retry-After`` instead of 500 while the database cannot be reached.

A PostgreSQL restart or fail-over takes seconds. Requests in flight then fail with
``OperationalError``/``InterfaceError`` ("terminating connection due to administrator
command", "connection refused", "connection already closed"), and Django — or DRF's exception
handler, for API views — answers 500: "a bug". It is not a bug but a passing outage, and a
client should try again: 503 with ``Retry-After`` says so (RFC 9110 §15.6.4), and a proxy or
load balancer may retry an idempotent request elsewhere.

How the middleware knows: while it handles a request it wraps every query of the default
connection (``connection.execute_wrapper``) and notes a connectivity error; a request whose
failure reached Django's ``got_request_exception`` signal (sent by Django's handler, and by the
API's exception handler) with such an error is marked too — that covers a refused connection,
which is raised before any query. A 5xx answer of a marked request becomes a 503; so does a 5xx
answer while the database does not answer a probe. The connection object is not patched: in
the test suite's live server one in-memory SQLite connection is shared between threads, and
the mark lives on the request. Only failed requests pay for the probe; ``/healthz`` never
touches the database and stays a pure liveness check. Deadlocks, serialization failures,
integrity errors and every other exception keep their own answers (:func:`is_outage`): the
database was there, so they are bugs.

A 503 does not promise that nothing happened: when the connection breaks during or after the
COMMIT, the write may be stored although the answer is an error (as with any lost answer). A
client repeats a non-idempotent request only when it can recognise its own earlier write.

Place it directly after ``vib.api.middleware.ApiVersionMiddleware`` (which turns the 503 into
problem+json under ``/api/`` and keeps ``Retry-After``) and before the session middleware (so a
session that cannot be saved is covered too).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger("vib.operations")

RETRY_AFTER_SECONDS = 5
_UNAVAILABLE = (OperationalError, InterfaceError)


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer. Plain text; the API middleware makes problem+json of it under /api/."""
    response = HttpResponse(
        _("Service unavailable: the database cannot be reached. Try again in a few seconds.")
        + "\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# SQLSTATEs of a database that went away: class 08 (connection exception), and the server
# shutting down or starting up (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
# cannot_connect_now). A deadlock (40P01), a serialization failure or a lock time-out is an
# OperationalError too, but the database is there: those stay 500 — they are bugs to fix.
_OUTAGE_STATES = ("57P01", "57P02", "57P03")


def is_outage(exc: BaseException) -> bool:
    """Whether a database error means "the database cannot be reached" (not a failed query)."""
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed
    cause = exc.__cause__ or exc
    state = getattr(cause, "sqlstate", None)
    if state is None:
        return True  # no answer from a server at all: refused, reset, closed
    return str(state).startswith("08") or state in _OUTAGE_STATES


def _database_down(connection: Any) -> bool:
    """Whether the database cannot be reached now (only asked after a 5xx answer)."""
    try:
        if connection.connection is None:
            connection.ensure_connection()
            return False
        return not connection.is_usable()
    except _UNAVAILABLE:
        return True
    except Exception:  # e.g. database access blocked in a test: not an outage
        return False


_OUTAGE_MARK = "_vib_database_outage"


@receiver(got_request_exception)
def note_request_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Mark a request whose failure was the database going away (read in the middleware)."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, _UNAVAILABLE) and is_outage(exc):
        setattr(request, _OUTAGE_MARK, True)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection = connections[DEFAULT_DB_ALIAS]
        seen: list[BaseException] = []

        def note_errors(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            try:
                return execute(sql, params, many, context)
            except _UNAVAILABLE as exc:
                if is_outage(exc):
                    seen.append(exc)
                raise

        with connection.execute_wrapper(note_errors):
            try:
                response = self.get_response(request)
            except _UNAVAILABLE as exc:  # only when an inner layer lets it through
                if not is_outage(exc):
                    raise
                return self._unavailable(request)
        if response.status_code >= 500 and (
            seen or getattr(request, _OUTAGE_MARK, False) or _database_down(connection)
        ):
            return self._unavailable(request)
        return response

    @staticmethod
    def _unavailable(request: HttpRequest) -> HttpResponse:
        logger.warning(
            "database unavailable", extra={"event": "database.unavailable", "outcome": "failure"}
        )
        return unavailable(request)
