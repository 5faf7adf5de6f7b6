"""What every file import says about a file it cannot read, in the user's language."""

from __future__ import annotations

import csv

from django.utils.translation import gettext as _


def csv_problem(exc: csv.Error) -> str:
    """What csv's (English, technical) error means, in words the user's language has."""
    if "field limit" in str(exc):
        return _("This line cannot be read: a value is longer than %(max)d characters.") % {
            "max": csv.field_size_limit()
        }
    return _("This line cannot be read as CSV; check the quotes and line breaks.")


def quoted(value: str, limit: int = 40) -> str:
    """A value as an error message quotes it: an oversized cell is not repeated whole."""
    return value if len(value) <= limit else value[:limit] + "…"
