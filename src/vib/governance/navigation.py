"""Menu item of the governance module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.accounts.selectors import has_capability
from vib.governance import capabilities as caps
from vib.web.navigation import NavItem


def _may_use(user: Any, organisation: Any) -> bool:
    return organisation is not None and (
        has_capability(user, caps.VIEW_PROCESSES, organisation)
        or has_capability(user, caps.VIEW_CHECKLIST, organisation)
    )


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Integrity policy"),
        "governance:overview",
        _may_use,
        _("Vulnerable processes and their safeguards; the checklist of basic integrity norms."),
    ),
]
