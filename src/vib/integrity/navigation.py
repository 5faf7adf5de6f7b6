"""Menu items and start-page cards of the integrity module (collected by ``vib.web``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.accounts.roles import SECTOR_AGGREGATES
from vib.accounts.selectors import has_capability
from vib.integrity import capabilities as caps
from vib.web.navigation import NavItem


def _works_on_cases(user: Any, organisation: Any) -> bool:
    if organisation is None:
        return False
    return any(
        has_capability(user, code, organisation)
        for code in (caps.HANDLE_CASES, caps.VIEW_CASE_LIST, caps.ADVISE)
    )


def _reports(user: Any, organisation: Any) -> bool:
    return has_capability(user, SECTOR_AGGREGATES) or (
        organisation is not None and has_capability(user, caps.VIEW_REPORT, organisation)
    )


def _always(user: Any, organisation: Any) -> bool:
    return True


def _visitors_only(user: Any, organisation: Any) -> bool:
    return not getattr(user, "is_authenticated", False)


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Integrity cases"),
        "integrity:home",
        _works_on_cases,
        _("Integrity reports and whistleblowing cases, with their deadlines."),
    ),
    NavItem(
        _("Integrity yearly report"),
        "integrity:report",
        _reports,
        _("Counts of reports, investigations and violations, with small numbers hidden."),
        in_menu=False,
    ),
    NavItem(
        _("Report a violation"),
        "integrity:intake-start",
        _always,
        _("Report a suspected violation or wrong — named, confidentially or anonymously."),
        public=True,
    ),
    NavItem(_("Mailbox"), "integrity:mailbox-login", _visitors_only, public=True),
]
