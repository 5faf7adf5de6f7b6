"""Start-page card of accounts: "My security", where everyone manages their second factors."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.web.navigation import NavItem


def _logged_in(user: Any, organisation: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("My security"),
        "accounts:security",
        _logged_in,
        _("Your second factors: an authenticator app and passkeys."),
        in_menu=False,
    ),
]
