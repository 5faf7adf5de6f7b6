"""The main navigation. Apps contribute items; each item is shown only to who may use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vib.accounts.roles import ORG_VIEW_MEMBERS, ORG_VIEW_UNITS
from vib.accounts.selectors import has_capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    visible: Callable[[Any, Any], bool]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def _always(user: Any, organisation: Any) -> bool:
    return True


def _capability(code: str) -> Callable[[Any, Any], bool]:
    def check(user: Any, organisation: Any) -> bool:
        return organisation is not None and has_capability(user, code, organisation)

    return check


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "web:home", _always),
    NavItem(_("Units"), "web:units", _capability(ORG_VIEW_UNITS)),
    NavItem(_("Members"), "web:members", _capability(ORG_VIEW_MEMBERS)),
    NavItem(_("Organisations"), "web:organisations", _always),
]


def navigation_for(user: Any, organisation: Any) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.visible(user, organisation)]
