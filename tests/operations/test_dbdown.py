"""The database-outage middleware: a lost database is a 503 with Retry-After, a bug stays 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.utils import IntegrityError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from vib.operations import dbdown
from vib.operations.dbdown import DatabaseUnavailableMiddleware, is_outage

pytestmark = pytest.mark.django_db


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _operational(sqlstate: str | None) -> OperationalError:
    exc = OperationalError("database error")
    if sqlstate is not None:
        exc.__cause__ = _DriverError(sqlstate)
    return exc


@pytest.mark.parametrize(
    ("exc", "outage"),
    [
        (InterfaceError("connection already closed"), True),
        (_operational(None), True),  # refused, reset: no answer from a server
        (_operational("08006"), True),  # connection failure
        (_operational("57P01"), True),  # admin shutdown
        (_operational("40P01"), False),  # deadlock: the database was there
        (_operational("55P03"), False),  # lock not available
    ],
)
def test_is_outage(exc: BaseException, outage: bool) -> None:
    assert is_outage(exc) is outage


def _middleware(view: Any) -> DatabaseUnavailableMiddleware:
    return DatabaseUnavailableMiddleware(view)


def test_an_outage_met_in_a_query_answers_503() -> None:
    def view(request: Any) -> HttpResponse:
        def lost(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            raise InterfaceError("connection already closed")

        with connection.execute_wrapper(lost), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return HttpResponse("unreachable")

    response = _middleware(view)(RequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(dbdown.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"


def test_a_500_while_the_database_does_not_answer_becomes_503(monkeypatch) -> None:
    monkeypatch.setattr(dbdown, "_database_down", lambda connection: True)
    response = _middleware(lambda request: HttpResponse(status=500))(RequestFactory().get("/"))
    assert response.status_code == 503


def test_a_bug_stays_a_bug() -> None:
    def view(request: Any) -> HttpResponse:
        raise IntegrityError("duplicate key")

    with pytest.raises(IntegrityError):
        _middleware(view)(RequestFactory().get("/"))
    response = _middleware(lambda request: HttpResponse(status=500))(RequestFactory().get("/"))
    assert response.status_code == 500  # the database answers the probe


def test_a_deadlock_is_not_an_outage() -> None:
    def view(request: Any) -> HttpResponse:
        raise _operational("40P01")

    with pytest.raises(OperationalError):
        _middleware(view)(RequestFactory().get("/"))


def test_the_connection_is_left_as_it_was() -> None:
    wrappers = list(connection.execute_wrappers)
    _middleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert connection.execute_wrappers == wrappers
    assert "connect" not in vars(connection)


def _refused() -> OperationalError:
    """What connecting to a database that is restarting raises (before any query)."""
    return _operational("57P03")  # cannot_connect_now: the database system is starting up


def test_a_refused_connection_in_a_page_answers_503_once_the_database_is_back() -> None:
    """The failure reaches Django's handler (got_request_exception), not a query wrapper, and
    by the time the middleware probes, the database answers again."""
    from django.core.handlers.exception import convert_exception_to_response

    def view(request: Any) -> HttpResponse:
        raise _refused()

    response = _middleware(convert_exception_to_response(view))(RequestFactory().get("/"))
    assert response.status_code == 503


def _api_view(error: Exception) -> Any:
    """An API view that raises ``error``, behind Django's exception handling."""
    from django.core.handlers.exception import convert_exception_to_response
    from rest_framework.permissions import AllowAny
    from rest_framework.views import APIView

    class Broken(APIView):
        authentication_classes: list[Any] = []
        permission_classes = [AllowAny]

        def get(self, request: Any) -> HttpResponse:
            raise error

    return convert_exception_to_response(Broken.as_view())


def test_a_refused_connection_in_the_api_answers_503() -> None:
    response = _middleware(_api_view(_refused()))(RequestFactory().get("/api/v1/x"))
    assert response.status_code == 503


def test_a_bug_in_the_api_stays_500() -> None:
    view = _api_view(_operational("40P01"))
    assert _middleware(view)(RequestFactory().get("/api/v1/x")).status_code == 500
