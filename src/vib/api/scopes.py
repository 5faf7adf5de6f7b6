"""API token scopes: read or write per module (``incidents:read``, ``integrity:write``, …).

A token carries the scopes it was made with (``vib tokens create --scope …``). A request
authenticated with a token needs the scope of the module whose API it calls: ``<module>:read``
for GET, HEAD and OPTIONS, ``<module>:write`` for everything else. The one does not include the
other. Requests authenticated with a session (the browser) are not limited by scopes; public
resources (``AllowAny``) need none.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from vib.accounts.models import ApiToken
from vib.api.registry import module_apis

ACCESS = ("read", "write")


@cache
def api_modules() -> tuple[str, ...]:
    """The labels of the installed modules that contribute API routes."""
    return tuple(sorted(label for label, _register in module_apis()))


def known_scopes() -> tuple[str, ...]:
    return tuple(f"{module}:{access}" for module in api_modules() for access in ACCESS)


def module_of(view: Any) -> str:
    """The module whose API ``view`` belongs to: ``vib.incidents.api`` → ``incidents``."""
    parts = type(view).__module__.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "vib" else ""


def scope_for(view: Any, method: str) -> str:
    access = "read" if method.upper() in permissions.SAFE_METHODS else "write"
    return f"{module_of(view)}:{access}"


class TokenScope(permissions.BasePermission):
    """A token must carry the scope of the module and access the request needs."""

    message = _("This API token does not have the scope this request needs.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True  # a session, or no authentication: other permissions decide
        return scope_for(view, request.method or "GET") in token.scope_set


class ScopedIsAuthenticated(permissions.IsAuthenticated):
    """The default permission: logged in (session or token) and, with a token, its scope."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and TokenScope().has_permission(request, view)
