"""The capabilities of incident registration. Roles get them in migration 0002 (as data).

Code checks these codes, never role codes. See docs/incidents.md for who holds which.
"""

from __future__ import annotations

# Report one's own incident.
REPORT = "incidents.report"
# Report on behalf of someone else (field staff, a shaken colleague).
REPORT_ON_BEHALF = "incidents.report_on_behalf"
# See and handle every incident of the organisation (or of the unit the role is limited to).
HANDLE = "incidents.handle"
# Coordinator-only: the repeat-perpetrator register and its links.
COORDINATE = "incidents.coordinate"
# The organisation's dashboard and the benchmark against comparable organisations.
VIEW_STATISTICS = "incidents.view_statistics"
# CSV and XLSX export of the organisation's records.
EXPORT = "incidents.export"

ALL = (REPORT, REPORT_ON_BEHALF, HANDLE, COORDINATE, VIEW_STATISTICS, EXPORT)

# The initial grants (frozen into migration 0002; an installation changes them as data).
INITIAL_GRANTS: dict[str, tuple[str, ...]] = {
    "reporter": (REPORT,),
    "manager": (REPORT, REPORT_ON_BEHALF, HANDLE, VIEW_STATISTICS),
    "ag_coordinator": (REPORT, REPORT_ON_BEHALF, HANDLE, COORDINATE, VIEW_STATISTICS, EXPORT),
    "hr": (REPORT, HANDLE, VIEW_STATISTICS, EXPORT),
    "secretaris": (REPORT, VIEW_STATISTICS),
    "griffier": (REPORT, VIEW_STATISTICS),
}
