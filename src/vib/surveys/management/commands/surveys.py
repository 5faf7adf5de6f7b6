"""``vib surveys list`` and ``vib surveys export WAVE [--out DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.surveys.export import wave_export
from vib.surveys.selectors import wave_find, wave_list


class Command(BaseCommand):
    help = (
        "Monitor survey waves: `vib surveys list` shows them; `vib surveys export WAVE` writes "
        "the responses with strata and population counts as CSV and Parquet, with a codebook."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List the waves.")
        export = sub.add_parser("export", help="Export one wave for analysis.")
        export.add_argument("wave", help="The wave's id, or its edition year if unique.")
        export.add_argument("--out", help="Output directory (default var/exports/surveys/…).")
        export.add_argument(
            "--include-open-text",
            action="store_true",
            help="Also export open-text answers (they may identify people: check them first).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for wave in wave_list():
                self.stdout.write(
                    f"{wave.id}  {wave.edition}  {wave.get_status_display():<14} {wave.title}"
                )
            return
        try:
            wave = wave_find(options["wave"])
        except LookupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        out = (
            Path(options["out"])
            if options["out"]
            else (
                Path(settings.VAR_DIR)
                / "exports"
                / "surveys"
                / f"{wave.edition}-{str(wave.id)[:8]}"
            )
        )
        if out.exists() and not out.is_dir():
            raise CommandError(
                _("%(path)s exists and is not a directory.") % {"path": out}, returncode=2
            )
        with tqdm(total=wave.instruments.count(), unit="questionnaire", desc=_("Exporting")) as bar:
            result = wave_export(
                wave=wave,
                directory=out,
                include_open_text=options["include_open_text"],
                progress=lambda _code: bar.update(1),
            )
        audit_record(
            actor=None, action=Action.EXPORT, obj=wave, channel="cli", reason="survey export"
        )
        for code, n in result.rows.items():
            self.stdout.write(
                ngettext("%(code)s: %(n)d response", "%(code)s: %(n)d responses", n)
                % {"code": code, "n": n}
            )
        self.stdout.write(self.style.SUCCESS(_("Written to %(path)s") % {"path": result.directory}))
