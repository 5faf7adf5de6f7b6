"""Menu items and start-page cards of incident registration."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.accounts.roles import SECTOR_AGGREGATES
from vib.accounts.selectors import has_capability
from vib.incidents import capabilities
from vib.web.navigation import NavItem


def _may_report(user: Any, organisation: Any) -> bool:
    return organisation is not None and has_capability(user, capabilities.REPORT, organisation)


def _may_use(user: Any, organisation: Any) -> bool:
    return organisation is not None and (
        has_capability(user, capabilities.HANDLE, organisation)
        or has_capability(user, capabilities.VIEW_STATISTICS, organisation)
        or has_capability(user, capabilities.REPORT, organisation)
    )


def _sector(user: Any, organisation: Any) -> bool:
    return has_capability(user, SECTOR_AGGREGATES)


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Aggression and violence"),
        "incidents:index",
        _may_use,
        _(
            "Incidents of aggression and violence: your reports, and for coordinators the "
            "handling, aftercare deadlines and figures."
        ),
    ),
    NavItem(
        _("Report an incident"),
        "incidents:report",
        _may_report,
        _("Aggression or violence against you or a colleague? Report it in two minutes."),
        in_menu=False,
    ),
    NavItem(
        _("Incident figures (sector)"),
        "incidents:sector",
        _sector,
        _("Registered incidents per tier and size class, for sector analysts."),
    ),
]
