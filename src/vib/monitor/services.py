"""Writes of the monitor module: starting a report run and recording its progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor
from vib.accounts.selectors import has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.monitor.capabilities import RUN_REPORTS
from vib.monitor.models import ReportFormat, ReportRun, RunStatus


def run_dir(run: ReportRun) -> Path:
    return Path(settings.MEDIA_ROOT) / "monitor" / str(run.id)


def report_run_start(*, actor: Actor, wave: Any, format: str) -> ReportRun:
    """Queue a report run for a wave the actor may open (checked by the caller's door)."""
    if format not in ReportFormat.values:
        raise ValidationError(_("Choose PDF or HTML."))
    if not has_capability(actor, RUN_REPORTS, wave.organisation):
        raise ValidationError(_("You may not produce the monitor report of this wave."))
    if wave.status != "closed":
        raise ValidationError(_("The report can only be made of a closed wave."))
    with transaction.atomic():
        run = ReportRun.objects.create(
            organisation=wave.organisation,
            wave_id=wave.id,
            edition=wave.edition,
            format=format,
            requested_by=actor,
        )
        audit_record(actor=actor, action=Action.CREATE, obj=run)
        transaction.on_commit(lambda: _enqueue(run.id))
    return run


def _enqueue(run_id: Any) -> None:
    from vib.monitor.tasks import generate_report

    generate_report.enqueue(str(run_id))


def report_run_progress(*, run_id: Any, progress: int, stage: str) -> None:
    ReportRun.objects.filter(pk=run_id).update(
        status=RunStatus.RUNNING, progress=progress, stage=stage[:40], updated_at=timezone.now()
    )


def report_run_finish(
    *, run_id: Any, report_file: str, bundle_file: str, summary: dict[str, Any]
) -> None:
    ReportRun.objects.filter(pk=run_id).update(
        status=RunStatus.DONE,
        progress=100,
        stage="done",
        report_file=report_file,
        bundle_file=bundle_file,
        summary=summary,
        finished_at=timezone.now(),
    )


def report_run_fail(*, run_id: Any, error: str) -> None:
    ReportRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
