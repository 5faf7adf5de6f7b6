"""Session-level security: time-outs, the second factor, and the active organisation."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from rest_framework.request import Request

from vib.accounts.models import Actor, User
from vib.accounts.oidc import SESSION_MFA
from vib.accounts.selectors import organisations_of, requires_second_factor

SESSION_KEY = "vib_organisation"
SESSION_LOGIN_AT = "vib_login_at"
SESSION_SEEN_AT = "vib_seen_at"

Handler = Callable[[HttpRequest], HttpResponse]


class SessionTimeoutMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT`` idle seconds or ``SESSION_COOKIE_AGE``
    seconds since log-in, whichever comes first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(SESSION_LOGIN_AT, now)
            seen_at = session.get(SESSION_SEEN_AT, now)
            if (
                now - seen_at > settings.SESSION_IDLE_TIMEOUT
                or now - login_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                query = urlencode({"next": request.get_full_path(), "verlopen": "1"})
                return HttpResponseRedirect(f"{reverse('login')}?{query}")
            if now - seen_at > 30:  # write the session at most twice a minute
                session[SESSION_SEEN_AT] = now
        return self.get_response(request)


def logged_in_user(request: HttpRequest | Request) -> Actor:
    """The user of a view behind ``@login_required`` (or of an authenticated API call), typed
    as the logged-in ``User``: the ``actor`` a view hands to a service. An anonymous request
    that reaches a write anyway is refused, not written."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", lambda: False)()) or bool(
        request.session.get(SESSION_MFA)
    )


class SecondFactorMiddleware:
    """Roles that see personal data get no further than the second-factor pages until the
    session is verified (by TOTP here, or by the identity provider's acr/amr)."""

    ALLOWED_PREFIXES = ("/tweede-factor", "/uitloggen", "/static/", "/i18n/", "/.well-known/")
    ALLOWED_EXACT = ("/healthz", "/readyz")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and request.path not in self.ALLOWED_EXACT
            and not is_verified(request)
            and requires_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "https://httpstatuses.io/403",
                        "title": "Forbidden",
                        "status": 403,
                        "detail": _("This session has not been confirmed with a second factor."),
                    },
                    status=403,
                    content_type="application/problem+json",
                )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:second-factor')}?{query}")
        return self.get_response(request)


class ActiveOrganisationMiddleware:
    """Puts the organisation the user is acting for on ``request.organisation``."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organisation = None  # type: ignore[attr-defined]
        request.my_organisations = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # One query per request; the shell's organisation switcher reuses the list.
            mine = list(organisations_of(user))
            wanted = request.session.get(SESSION_KEY)
            chosen = [org for org in mine if str(org.id) == wanted]
            request.my_organisations = mine  # type: ignore[attr-defined]
            candidates = chosen or mine
            request.organisation = candidates[0] if candidates else None  # type: ignore[attr-defined]
        return self.get_response(request)
