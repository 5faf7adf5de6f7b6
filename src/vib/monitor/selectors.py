"""Reads of the monitor module: the dashboard's key figures (published, disclosure-controlled
aggregates only) and the waves a report can be made of."""

from __future__ import annotations

from typing import Any

from vib.monitor.models import ReportRun, RunStatus


def latest_summary(runs: Any | None = None) -> ReportRun | None:
    """The newest finished run (of ``runs``, or of every organisation — the summary holds
    only published aggregates, which sector analysts may see)."""
    qs = runs if runs is not None else ReportRun.objects.all()
    return (
        qs.filter(status=RunStatus.DONE)
        .exclude(summary={})
        .order_by("-edition", "-finished_at")
        .only("id", "edition", "summary", "finished_at", "organisation_id")
        .first()
    )
