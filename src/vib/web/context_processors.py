"""What every page of the shell needs: the active organisation and the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vib.accounts.selectors import organisations_of
from vib.web.navigation import current_item, navigation_for, public_navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        items = public_navigation()
        return {
            "nav_items": items,
            "current_nav": current_item(items, request.path),
            "my_organisations": [],
        }
    organisation = getattr(request, "organisation", None)
    mine = getattr(request, "my_organisations", None)  # read once by ActiveOrganisationMiddleware
    items = navigation_for(user, organisation)
    return {
        "active_organisation": organisation,
        "my_organisations": mine if mine is not None else list(organisations_of(user)),
        "nav_items": items,
        "current_nav": current_item(items, request.path),
    }
