"""The anonymous-route marker, the day stamps, and what the formatters write meanwhile."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import get_resolver
from django.utils import timezone

from vib.core.anonymity import coarse_now, is_anonymous_path, is_anonymous_view
from vib.operations.jsonlog import JsonFormatter, LogContext, PlainFormatter, current

# Every page a reporter, a survey respondent or a visitor of the desk's front door may open.
ANONYMOUS = {
    "integrity:intake-start",
    "integrity:intake",
    "integrity:receipt",
    "integrity:mailbox-login",
    "integrity:mailbox",
    "integrity:mailbox-file",
    "integrity:mailbox-sign-off",
    "integrity:mailbox-logout",
    "surveys:answer",
    "surveys:thanks",
    "support:start",
}


def _names(resolver=None, prefix: str = "") -> dict[str, object]:
    found: dict[str, object] = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        if hasattr(pattern, "url_patterns"):
            space = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            found.update(_names(pattern, space))
        elif pattern.name:
            found[f"{prefix}{pattern.name}"] = pattern.callback
    return found


def test_exactly_the_reporters_and_respondents_pages_are_anonymous_routes():
    marked = {name for name, view in _names().items() if is_anonymous_view(view)}
    assert marked == ANONYMOUS


def test_paths_resolve_to_the_marker():
    assert is_anonymous_path("/integriteit/melden")
    assert is_anonymous_path("/integriteit/brievenbus/berichten")
    assert not is_anonymous_path("/integriteit/zaken")
    assert not is_anonymous_path("/no/such/page")


def test_a_coarse_stamp_is_the_start_of_the_local_day_or_just_after_the_newest():
    stamp = coarse_now()
    local = timezone.localtime(stamp)
    assert local.date() == timezone.localdate()
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    question = timezone.now()
    assert coarse_now(after=question) == question + timedelta(microseconds=1)
    assert coarse_now(after=stamp - timedelta(days=3)) == stamp


def _record(level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("django.security.csrf", level, __file__, 1, "Forbidden", (), None)


def test_during_an_anonymous_route_the_formatters_write_the_day_only_and_no_actor():
    record = _record()
    for key, value in {"actor": "u-7", "organisation": "o-7", "client": "192.0.2.7"}.items():
        setattr(record, key, value)
    token = current.set(LogContext(request_id="r-12345678", actor="u-1", anonymous=True))
    try:
        line = json.loads(JsonFormatter().format(record))
        plain = PlainFormatter("%(asctime)s %(levelname)s %(message)s").format(record)
    finally:
        current.reset(token)
    created = datetime.fromtimestamp(record.created)  # noqa: DTZ006 - asctime is local time
    assert line["timestamp"] == datetime.fromtimestamp(record.created, tz=UTC).date().isoformat()
    assert (line["actor"], line["organisation"]) == ("", "")
    assert "client" not in line
    assert "192.0.2.7" not in json.dumps(line)
    assert plain == f"{created.date().isoformat()} WARNING Forbidden"


def test_outside_anonymous_routes_the_time_stays():
    record = _record()
    line = json.loads(JsonFormatter().format(record))
    plain = PlainFormatter("%(asctime)s %(levelname)s %(message)s").format(record)
    assert "T" in line["timestamp"]
    assert ":" in plain.split(" ")[1]


@pytest.fixture
def request_lines(settings):
    lines: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record)

    handler = Collect()
    logger = logging.getLogger("vib.request")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.django_db
def test_an_anonymous_route_writes_no_request_line_and_takes_no_proxy_request_id(
    client, request_lines
):
    response = client.get("/integriteit/melden", HTTP_X_REQUEST_ID="proxy-abc-123")
    assert response.status_code == 200
    assert "X-Request-ID" not in response
    assert request_lines == []
    client.get("/organisaties", HTTP_X_REQUEST_ID="proxy-abc-123")
    assert [r.status for r in request_lines] == [200]  # type: ignore[attr-defined]
