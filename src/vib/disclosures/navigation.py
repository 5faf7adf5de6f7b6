"""Menu items of the disclosures module; the public register is reachable without log-in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.web.navigation import NavItem


def _always(user: Any, organisation: Any) -> bool:
    return True


def _member(user: Any, organisation: Any) -> bool:
    return organisation is not None


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Side activities"),
        "disclosures:mine",
        _member,
        _("Declare side activities, gifts and financial interests; the register."),
    ),
    NavItem(
        _("Public register"),
        "disclosures:public-index",
        _always,
        _("Side functions of office holders and designated officials, also as open data."),
        public=True,
    ),
]
