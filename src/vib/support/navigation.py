"""The support desk's items in the shell's navigation and start page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vib.access import support as access
from vib.web.navigation import NavItem


def _always(user: Any, organisation: Any) -> bool:
    return True


def _team(user: Any, organisation: Any) -> bool:
    return access.is_team_member(user)


def _statistics(user: Any, organisation: Any) -> bool:
    national, teams = access.statistics_teams_for(user)
    return national or teams.exists()


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Support desk"),
        "support:start",
        _always,
        _(
            "Help and advice for office holders on threats, online hate, integrity and "
            "subversion. In acute danger, call 112."
        ),
        public=True,
    ),
    NavItem(
        _("Support team"),
        "support:team",
        _team,
        _("New requests, your cases, plans and follow-ups."),
    ),
    NavItem(
        _("Library"),
        "support:library",
        _always,
        public=True,
        in_menu=False,
        description=_("Model codes of conduct, guides and training offers."),
    ),
    NavItem(
        _("Support statistics"),
        "support:statistics",
        _statistics,
        in_menu=False,
        description=_("Requests by theme, tier, function and urgency; small numbers hidden."),
    ),
]
