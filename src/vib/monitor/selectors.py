"""Reads of the monitor module: the dashboard's key figures (published, disclosure-controlled
aggregates only) and the waves a report can be made of."""

from __future__ import annotations

from vib.monitor.models import ReportRun, RunStatus


def latest_summary() -> ReportRun | None:
    """The newest finished run of every organisation (the summary holds only published
    aggregates, which sector analysts may see)."""
    return (
        ReportRun.objects.filter(status=RunStatus.DONE)
        .exclude(summary={})
        .order_by("-edition", "-finished_at")
        .only("id", "edition", "summary", "finished_at", "organisation_id")
        .first()
    )
