"""Capability codes of the support desk (granted to roles in migration 0002).

The support team itself is *not* a role in an organisation: its members are ``TeamMember``
rows and their access comes from being assigned to a request (ADR 0040). The capabilities
below concern people inside organisations and outside any one of them.
"""

from __future__ import annotations

#: Ask for help on behalf of an office holder of the organisation (griffier, secretaris).
REQUEST_ON_BEHALF = "support.request_on_behalf"
#: The desk's national statistics, with small cells suppressed (the ministry's analysts).
VIEW_STATISTICS = "support.view_statistics"

ALL = (REQUEST_ON_BEHALF, VIEW_STATISTICS)

# Initial grants (roles are data; an installation can change these).
GRANTS: dict[str, tuple[str, ...]] = {
    REQUEST_ON_BEHALF: ("griffier", "secretaris"),
    VIEW_STATISTICS: ("sector_analyst",),
}
