"""Background production of the monitor report (Django tasks; ``vib worker`` runs them)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.tasks import task

from vib.monitor import services
from vib.monitor.models import ReportRun
from vib.monitor.report import Report

logger = logging.getLogger(__name__)


def summary_of(report: Report) -> dict[str, Any]:
    """The key figures as published (hidden cells without a number) for the dashboard."""
    from vib.monitor.report import Cell
    from vib.monitor.templatetags.monitor_report import instrument_title

    rows = []
    cells = {e.key: e for e in report.cells()}
    for ind in report.indicators.indicators:
        c = cells.get((ind.id, "", ""))
        if not ind.key or c is None:
            continue
        cell = Cell.of(c, "")
        rows.append(
            {
                "indicator": ind.id,
                "chapter": ind.chapter,
                # for whom: the same indicator is measured for office holders and employees
                "group_nl": instrument_title(ind.instrument, "nl"),
                "group_en": instrument_title(ind.instrument, "en"),
                "label_nl": ind.label_nl,
                "label_en": ind.label_en,
                "text": cell.text,
                "interval": cell.interval,
                "n": cell.n,
                "flags": cell.flags,
                "hidden": cell.hidden,
            }
        )
    return {
        "edition": report.input.edition,
        "indicators": rows,
        "findings": [f.text for f in report.findings],
    }


@task()
def generate_report(run_id: str) -> str:
    from vib.monitor.inputs import report_input
    from vib.monitor.report import write_report
    from vib.surveys.selectors import wave_find

    run = ReportRun.objects.get(pk=run_id)
    last = [0.0]

    def progress(pct: int, stage: str) -> None:
        now = time.monotonic()
        if pct in (0, 100) or now - last[0] > 0.5:
            last[0] = now
            services.report_run_progress(run_id=run.id, progress=pct, stage=stage)

    try:
        progress(1, "input")
        wave = wave_find(str(run.wave_id))
        inp = report_input(wave=wave)
        out = services.run_dir(run)
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"monitor-{run.edition}.{run.format}"
        report = write_report(inp, run.format, target, progress)
        services.report_run_finish(
            run_id=run.id,
            report_file=str(target),
            bundle_file=str(target.with_name(f"{target.stem}-bundle.zip")),
            summary=summary_of(report),
        )
    except Exception as exc:
        logger.exception("monitor report run %s failed", run_id)
        services.report_run_fail(run_id=run.id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    return "done"
