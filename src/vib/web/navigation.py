"""The main navigation and the start-page cards.

Apps contribute items; each item is shown only to who may use it. An item with a
``description`` also appears as a card on the start page. Modules that are not built (or not
installed) contribute nothing, so their cards are simply not shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vib.accounts.roles import ORG_VIEW_MEMBERS, ORG_VIEW_UNITS
from vib.accounts.selectors import capabilities_read_once, has_capability

type Label = str | Promise


@dataclass(frozen=True)
class NavItem:
    label: Label
    url_name: str
    visible: Callable[[Any, Any], bool]
    description: Label = ""
    public: bool = False  # also shown to visitors who are not logged in
    in_menu: bool = True

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def _always(user: Any, organisation: Any) -> bool:
    return True


def _staff(user: Any, organisation: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


def _capability(code: str) -> Callable[[Any, Any], bool]:
    def check(user: Any, organisation: Any) -> bool:
        return organisation is not None and has_capability(user, code, organisation)

    return check


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "web:home", _always),
    NavItem(
        _("Units"),
        "web:units",
        _capability(ORG_VIEW_UNITS),
        _("The departments and teams of your organisation."),
    ),
    NavItem(
        _("Members"),
        "web:members",
        _capability(ORG_VIEW_MEMBERS),
        _("Who holds which role in your organisation."),
    ),
    NavItem(
        _("Organisations"),
        "web:organisations",
        _always,
        _(
            "The registry of Dutch public bodies: ministries, provinces, municipalities and "
            "water boards."
        ),
        public=True,
    ),
    NavItem(
        _("Platform management"),
        "admin:index",
        _staff,
        _("Manage users, roles and the organisation registry (platform admins only)."),
        in_menu=False,
    ),
]


@cache
def all_items() -> tuple[NavItem, ...]:
    """The shell's own items, then those of every installed module's ``navigation.py``
    (in ``INSTALLED_APPS`` order), with the registry and platform management last."""
    modules: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vib.") or config.name == "vib.web":
            continue
        try:
            module = importlib.import_module(f"{config.name}.navigation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.navigation":
                raise
            continue
        modules.extend(getattr(module, "NAV_ITEMS", []))
    own_first, own_last = NAV_ITEMS[:3], NAV_ITEMS[3:]
    return (*own_first, *modules, *own_last)


def _mounted(item: NavItem) -> bool:
    """A module can be installed without its pages being mounted (e.g. a test URLconf)."""
    try:
        reverse(item.url_name)
    except NoReverseMatch:
        return False
    return True


def navigation_for(user: Any, organisation: Any) -> list[NavItem]:
    """The menu items for a logged-in user (their capabilities read in one query)."""
    with capabilities_read_once():
        return [
            item
            for item in all_items()
            if item.in_menu and _mounted(item) and item.visible(user, organisation)
        ]


def public_navigation() -> list[NavItem]:
    """The menu items for a visitor who is not logged in."""
    return [item for item in all_items() if item.public and item.in_menu and _mounted(item)]


def start_cards(user: Any, organisation: Any) -> list[NavItem]:
    """The cards of the start page: every item with a description the user may use."""
    with capabilities_read_once():
        return [
            item
            for item in all_items()
            if item.description and _mounted(item) and item.visible(user, organisation)
        ]


def current_item(items: list[NavItem], path: str) -> NavItem | None:
    """The menu item of the section a path belongs to: the longest item URL that is the path
    itself or a folder above it (the start page "/" only for itself), so a case page of the
    support desk still names "Steunpunt" as the current section on the phone's menu button."""
    best: NavItem | None = None
    for item in items:
        url = item.url
        inside = path == url or (url != "/" and path.startswith(url.rstrip("/") + "/"))
        if inside and (best is None or len(url) > len(best.url)):
            best = item
    return best
