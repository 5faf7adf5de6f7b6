"""Structured JSON logs: the BIO fields, a request id, and no personal data."""

from __future__ import annotations

import json
import logging

import pytest

from vib.operations.jsonlog import JsonFormatter, LogContext, current

MIDDLEWARE_FIRST = "vib.operations.middleware.RequestIdMiddleware"


def _line(record_args: dict, **extra) -> dict:
    record = logging.LogRecord(
        name="vib.test",
        level=record_args.get("level", logging.INFO),
        pathname=__file__,
        lineno=1,
        msg=record_args.get("msg", "something happened"),
        args=record_args.get("args", ()),
        exc_info=record_args.get("exc_info"),
    )
    for key, value in extra.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter().format(record))


def test_a_line_has_the_bio_fields():
    token = current.set(LogContext(request_id="req-12345678", actor="u-1", organisation="o-1"))
    try:
        line = _line({}, event="case.read", outcome="denied")
    finally:
        current.reset(token)
    assert line["timestamp"].endswith("Z")
    assert "T" in line["timestamp"]
    assert line["level"] == "INFO"
    assert line["logger"] == "vib.test"
    assert line["event"] == "case.read"
    assert line["outcome"] == "denied"
    assert (line["actor"], line["organisation"], line["request_id"]) == (
        "u-1",
        "o-1",
        "req-12345678",
    )


def test_errors_are_failures_and_plain_lines_successes():
    try:
        raise ValueError("boom for jan@example.nl")
    except ValueError:
        import sys

        line = _line({"level": logging.ERROR, "exc_info": sys.exc_info()})
    assert line["outcome"] == "failure"
    assert "jan@example.nl" not in line["exception"]
    assert _line({})["outcome"] == "success"


def test_personal_data_is_kept_out():
    line = _line(
        {"msg": "mail to %s failed", "args": ("piet.jansen@gemeente.nl",)},
        email="piet.jansen@gemeente.nl",
        full_name="Piet Jansen",
        ip_address="192.0.2.7",
        remote_addr="192.0.2.7",
        count=3,
        request="<WSGIRequest: GET '/zoek?naam=Jansen'>",
    )
    text = json.dumps(line)
    assert "piet.jansen" not in text
    assert "Jansen" not in text
    assert "192.0.2.7" not in text
    assert line["message"] == "mail to [e-mail] failed"
    assert line["count"] == 3


@pytest.fixture
def with_request_ids(settings):
    settings.MIDDLEWARE = [MIDDLEWARE_FIRST, *settings.MIDDLEWARE]


@pytest.fixture
def captured():
    """Lines as the JSON formatter writes them, from the request logger."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(JsonFormatter().format(record)))

    handler = Collect()
    logger = logging.getLogger("vib.request")
    level = logger.level
    logger.setLevel(logging.INFO)  # as with VIB_LOG_FORMAT=json; plain logs keep it at WARNING
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.django_db
def test_each_request_gets_an_id_and_one_log_line(client, with_request_ids, captured):
    response = client.get("/organisaties?zoek=piet%40example.nl", HTTP_X_REQUEST_ID="proxy-abc-123")
    assert response["X-Request-ID"] == "proxy-abc-123"
    fresh = client.get("/organisaties", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(fresh["X-Request-ID"]) == 32
    first = captured[0]
    assert first["request_id"] == "proxy-abc-123"
    assert first["event"] == "request"
    assert first["status"] == 200
    assert first["actor"] == ""
    assert "client" not in first  # anonymous visitors leave no address
    assert "piet" not in json.dumps(captured)
    assert "zoek" not in json.dumps(captured)


@pytest.mark.django_db
def test_a_logged_in_request_logs_the_actor_id_not_the_name(
    client, with_request_ids, captured, people, orgs
):
    client.force_login(people.admin)
    client.get("/")
    line = captured[-1]
    assert line["actor"] == str(people.admin.pk)
    assert line["organisation"] == str(orgs[0].pk)
    assert line["client"] == "127.0.0.1"
    assert "Bea" not in json.dumps(line)
    assert "beheer@" not in json.dumps(line)
