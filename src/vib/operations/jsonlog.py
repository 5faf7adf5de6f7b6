"""Structured JSON logs with the BIO fields, and without personal data.

Every line is one JSON object::

    {"timestamp": "2026-04-01T08:15:02.123Z", "level": "INFO", "logger": "vib.request",
     "event": "request", "message": "GET /incidenten/ 200", "actor": "<user id>",
     "organisation": "<organisation id>", "request_id": "…", "outcome": "success", …}

- ``timestamp`` is UTC; ``actor`` is a user id, never a name or e-mail address;
- ``organisation`` and ``request_id`` come from the request being handled (set by
  ``vib.operations.middleware.RequestIdMiddleware``), or from ``extra=``;
- ``outcome`` is ``extra={"outcome": …}`` when given, else ``failure`` for errors and
  ``success`` otherwise;
- extra fields whose names suggest personal data (e-mail, name, address, …) are dropped and
  e-mail addresses in the message are masked, as a safety net: do not log personal data;
- while an anonymous route is handled (``vib.core.anonymity``, ADR 0090) ``timestamp`` is the
  day only (``2026-04-01``) and ``actor`` and ``organisation`` are empty, whatever the caller
  passed. :class:`PlainFormatter` does the same for the plain format's time.

This module does not import Django models, so settings may refer to it.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter


@dataclass
class LogContext:
    request_id: str = ""
    actor: str = ""
    organisation: str = ""
    request: Any = None  # filled lazily: actor and organisation are known after auth
    anonymous: bool = False  # an anonymous route: no actor, no organisation, the day only


current: ContextVar[LogContext | None] = ContextVar("vib_log_context", default=None)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_PERSONAL = re.compile(
    r"e-?mail|name|address|addr|ip$|^ip_|phone|password|passwd|secret|token|body|"
    r"user_agent|username|bsn|birth",
    re.IGNORECASE,
)
_OWN = {"event", "outcome", "actor", "organisation", "request_id"}
# Never written for an anonymous route, even when a caller passes them.
_IDENTIFYING = {"actor", "organisation", "client", "user", "user_id", "session"}
# Django passes the request object itself (its repr holds the query string): never logged.
_DROPPED = {"request"}


def _mask(text: str) -> str:
    return EMAIL.sub("[e-mail]", text)


def _anonymous() -> bool:
    ctx = current.get()
    return bool(ctx and ctx.anonymous)


def _day(record: logging.LogRecord, *, local: bool = False) -> str:
    """The record's day: in UTC for the JSON lines, in local time for the plain ones."""
    tz = None if local else UTC
    return datetime.fromtimestamp(record.created, tz=tz).date().isoformat()


def _from_request(ctx: LogContext) -> tuple[str, str]:
    """The actor and organisation of the request in progress, without triggering queries."""
    if ctx.anonymous:
        return "", ""
    request = ctx.request
    if request is None:
        return ctx.actor, ctx.organisation
    actor, organisation = ctx.actor, ctx.organisation
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)  # a SimpleLazyObject, or the user itself
    if wrapped is not None and getattr(wrapped, "is_authenticated", False) is True:
        actor = str(wrapped.pk)
    org = request.__dict__.get("organisation")
    if org is not None:
        organisation = str(getattr(org, "pk", org))
    return actor, organisation


class JsonFormatter(_JsonFormatter):
    """One JSON object per line with the BIO fields (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        ctx = current.get()
        anonymous = bool(ctx and ctx.anonymous)
        actor, organisation = _from_request(ctx) if ctx else ("", "")
        extras = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD
            and not key.startswith("_")
            and not (anonymous and key in _IDENTIFYING)
        }
        failed = record.levelno >= logging.ERROR or bool(record.exc_info)
        log_data["timestamp"] = (
            _day(record)
            if anonymous
            else (
                datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
            ).replace("+00:00", "Z")
        )
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["event"] = str(extras.get("event") or record.name)
        log_data["message"] = _mask(record.getMessage())
        log_data["actor"] = str(extras.get("actor") or actor)
        log_data["organisation"] = str(extras.get("organisation") or organisation)
        log_data["request_id"] = str(extras.get("request_id") or (ctx.request_id if ctx else ""))
        log_data["outcome"] = str(extras.get("outcome") or ("failure" if failed else "success"))
        for key, value in extras.items():
            if key in _OWN or key in _DROPPED or _PERSONAL.search(key):
                continue
            log_data[key] = value if isinstance(value, int | float | bool) else _mask(str(value))
        if record.exc_info:
            log_data["exception"] = _mask(str(self.formatException(record.exc_info)))
        if record.stack_info:
            log_data["stack"] = _mask(str(self.formatStack(record.stack_info)))

    def format(self, record: logging.LogRecord) -> str:
        # The parent would add the raw message and exception text again: build it ourselves.
        log_data: dict[str, Any] = {}
        self.add_fields(log_data, record, {})
        return self.serialize_log_record(log_data)


class PlainFormatter(logging.Formatter):
    """The plain format, whose time is the day only while an anonymous route is handled."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        if _anonymous():
            return _day(record, local=True)
        return super().formatTime(record, datefmt)
