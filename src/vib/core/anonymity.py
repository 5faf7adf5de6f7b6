"""Routes whose visitors must leave no trace: the ``anonymous_route`` marker (ADR 0090).

A view decorated with :func:`anonymous_route` (the integrity intake and mailbox, survey
answering, the support desk's front door) is recognised by
``vib.operations.middleware.RequestIdMiddleware`` *before* any other middleware runs, from the
URL alone. While such a request is handled:

- a successful request writes no request log line at all (a line's place among the others'
  would still tell when the visit was); a failed one writes a line without user,
  organisation, address or user agent;
- every log record written meanwhile, by any logger and in the plain and the JSON format,
  carries the day only, no time, and no actor or organisation;
- the request id is always a fresh one, never the proxy's, so the proxy's access log (which
  holds the address) cannot be joined to our lines.

:func:`coarse_now` is the time stamp for objects such a visitor makes (the day, or just after
the newest stamp it must sort after), so the database cannot be joined to the proxy's log
either.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone

MARK = "vib_anonymous_route"


def anonymous_route[View: Callable[..., Any]](view: View) -> View:
    """Mark a view as one whose visitors must stay anonymous (see the module docstring)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    setattr(wrapped, MARK, True)
    return wrapped  # type: ignore[return-value]


def is_anonymous_view(view: Any) -> bool:
    return getattr(view, MARK, False) is True


def is_anonymous_path(path: str) -> bool:
    """Does ``path`` resolve to an anonymous route? (Unknown paths do not.)"""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return is_anonymous_view(match.func)


def request_is_anonymous(request: HttpRequest) -> bool:
    return getattr(request, MARK, False) is True


def coarse_now(*, after: datetime | None = None) -> datetime:
    """The start of today (local time), or one microsecond after ``after`` when that is later.

    Deadlines count in days from the local date, which the start of the day keeps; ``after``
    keeps a conversation in order (a reporter's answer after the question it answers) without
    saying more than "after the question".
    """
    today = timezone.localdate()
    stamp = timezone.make_aware(datetime.combine(today, time.min))
    if after is not None and after >= stamp:
        stamp = after + timedelta(microseconds=1)
    return stamp
