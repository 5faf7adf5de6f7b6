"""Error type of the statistics engine."""

from __future__ import annotations


class StatsError(Exception):
    """A user-facing error: malformed spec, bad data or an inestimable design.

    ``field`` names the spec field or data column the problem is about.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        text = f"{field}: {message}" if field else message
        super().__init__(text)
