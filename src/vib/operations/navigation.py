"""Menu item of operations: access management for organisation admins."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from vib.accounts.roles import ORG_MANAGE
from vib.accounts.selectors import has_capability
from vib.web.navigation import NavItem


def _mounted() -> bool:
    try:
        reverse("operations:access")
    except NoReverseMatch:
        return False
    return True


def _may_manage(user: Any, organisation: Any) -> bool:
    return (
        organisation is not None and has_capability(user, ORG_MANAGE, organisation) and _mounted()
    )


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Access management"),
        "operations:access",
        _may_manage,
        _("Who holds which role, and the yearly access review."),
    ),
]
