"""The monitor report's place in the menu and on the start page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.accounts.selectors import has_capability
from vib.monitor.capabilities import RUN_REPORTS, VIEW_REPORTS
from vib.web.navigation import NavItem


def _may_view(user: Any, organisation: Any) -> bool:
    # Sector analysts hold the capability outside any organisation: no organisation needed.
    return has_capability(user, VIEW_REPORTS) or has_capability(user, RUN_REPORTS)


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Monitor report"),
        "monitor:dashboard",
        _may_view,
        _("Key figures of the Integrity and Safety Monitor, and the report with its analysis."),
    ),
]
