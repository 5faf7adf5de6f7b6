"""Errors shared by services, selectors and the access layer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404


class NotFound(Http404):
    """Raised for objects that are missing *and* for objects the user may not see.

    Never distinguish the two: telling them apart would confirm that a case exists.
    """


__all__ = ["NotFound", "ValidationError"]
