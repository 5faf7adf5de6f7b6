"""Authentication backends."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for every log-in made through a request.

    Authentication without a request (a management command, a test's ``Client.login``) has
    no client to lock out; it is left to the next backend instead of raising.
    """

    def authenticate(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def lockout_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """The name django-axes counts failures under: what was typed in the log-in form, cut to
    the length its table holds (a longer one used to crash the log-in on PostgreSQL)."""
    source = credentials if credentials else getattr(request, "POST", {})
    return str(source.get("username") or "")[:255]
