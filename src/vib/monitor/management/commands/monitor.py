"""``vib monitor report --wave 2016 --format pdf|html -o FILE [--factsheets DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from tqdm import tqdm

from vib.audit.models import Action
from vib.audit.services import audit_record


class Command(BaseCommand):
    help = (
        "The monitor report: `vib monitor report --wave 2016 --format pdf -o rapport.pdf` "
        "writes the report and its analysis bundle (<FILE>-bundle.zip) beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="Write the monitor report of a wave.")
        report.add_argument("--wave", required=True, help="The wave's id or edition year.")
        report.add_argument("--format", choices=("pdf", "html"), default="pdf")
        report.add_argument("-o", "--output", required=True, help="The report file to write.")
        report.add_argument("--language", choices=("nl", "en"), default="nl")
        report.add_argument(
            "--factsheets",
            help="Also write one HTML factsheet per organisation (where disclosure allows).",
        )
        report.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        from vib.monitor.inputs import report_input
        from vib.monitor.report import write_report
        from vib.surveys.selectors import wave_find

        try:
            wave = wave_find(options["wave"])
        except LookupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        target = Path(options["output"])
        if target.is_dir():
            raise CommandError(_("%(path)s is a directory.") % {"path": target}, returncode=2)
        target.parent.mkdir(parents=True, exist_ok=True)
        bar = tqdm(
            total=100,
            unit="%",
            desc=_("Monitor report"),
            disable=options["no_progress"],
            file=self.stderr._out,
        )

        def progress(pct: int, stage: str) -> None:
            bar.set_postfix_str(stage)
            bar.update(max(0, pct - bar.n))

        inp = report_input(wave=wave, language=options["language"])
        report = write_report(inp, options["format"], target, progress)
        bar.close()
        audit_record(
            actor=None,
            action=Action.EXPORT,
            object_type="monitor.report",
            object_id=str(wave.id),
            organisation=wave.organisation,
            channel="cli",
        )
        if options["factsheets"]:
            out = Path(options["factsheets"])
            out.mkdir(parents=True, exist_ok=True)
            for sheet in report.organisation_sheets:
                (out / f"{sheet.code}.html").write_text(
                    render_to_string("monitor/factsheet.html", {"sheet": sheet, "report": report}),
                    encoding="utf-8",
                )
        self.stdout.write(
            _("Wrote %(report)s and %(bundle)s.")
            % {"report": target, "bundle": target.with_name(f"{target.stem}-bundle.zip")}
        )
