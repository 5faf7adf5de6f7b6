"""Access to monitor report runs. A run holds the report and its analysis bundle (the
weighted microdata of a wave), so it opens only through this door, audited, within the
organisations where the user's role grants ``monitor.view_reports`` (the report) or
``monitor.run_reports`` (start runs, the bundle).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vib.access.base import fetch_audited
from vib.accounts.selectors import capability_organisations
from vib.monitor.capabilities import RUN_REPORTS, VIEW_REPORTS
from vib.monitor.models import ReportRun


def report_runs_visible_to(user: Any, *, manage: bool = False) -> QuerySet[ReportRun]:
    if manage:
        orgs = capability_organisations(user, RUN_REPORTS)
    else:
        orgs = capability_organisations(user, VIEW_REPORTS) | capability_organisations(
            user, RUN_REPORTS
        )
    return (
        ReportRun.objects.filter(organisation__in=orgs)
        .select_related("organisation", "requested_by")
        .order_by("-created_at")
    )


def access_report_run(
    *, user: Any, id: Any, request: Any | None = None, reason: str = "", manage: bool = False
) -> ReportRun:
    return fetch_audited(
        report_runs_visible_to(user, manage=manage),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="monitor.reportrun",
    )
