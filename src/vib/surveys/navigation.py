"""The surveys module's place in the menu and on the start page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.accounts.selectors import has_capability
from vib.surveys.capabilities import MANAGE_WAVES, VIEW_WAVES
from vib.web.navigation import NavItem


def _may_see_waves(user: Any, organisation: Any) -> bool:
    return organisation is not None and (
        has_capability(user, VIEW_WAVES, organisation)
        or has_capability(user, MANAGE_WAVES, organisation)
    )


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Monitor surveys"),
        "surveys:waves",
        _may_see_waves,
        _("Run the Integrity and Safety Monitor: questionnaires, invitations and response rates."),
    ),
]
