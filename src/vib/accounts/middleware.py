"""Puts the organisation the user is acting for on ``request.organisation``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vib.accounts.selectors import organisations_of

SESSION_KEY = "vib_organisation"


class ActiveOrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organisation = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mine = organisations_of(user)  # type: ignore[arg-type]
            wanted = request.session.get(SESSION_KEY)
            org = (mine.filter(id=wanted).first() if wanted else None) or mine.first()
            request.organisation = org  # type: ignore[attr-defined]
        return self.get_response(request)
