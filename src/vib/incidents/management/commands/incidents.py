"""``vib incidents import FILE`` and ``vib incidents remind``.

* ``import FILE.csv|FILE.xlsx [--organisation CODE] [--source GIR]`` — records from another
  system; every row valid or nothing is imported, and every problem is listed by line.
* ``remind [--enqueue]`` — the daily aftercare reminder e-mail; run it from cron once a day
  (it is idempotent per person, organisation and day). ``--enqueue`` hands it to the worker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vib.incidents.imports import IncidentImportError, incidents_import
from vib.incidents.tasks import send_aftercare_reminders
from vib.organisations.selectors import organisation_list

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = "Incident registration: `import FILE` (CSV or XLSX, all or nothing) and `remind`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import", help="Import incidents from a CSV or XLSX file (e.g. a GIR export)."
        )
        load.add_argument("file", help="The CSV (UTF-8) or XLSX file.")
        load.add_argument(
            "--organisation",
            metavar="CODE",
            help="The organisation (e.g. GM0344) for rows without an 'organisatie' column.",
        )
        load.add_argument(
            "--source", default="GIR", help="Name of the source system (default: GIR)."
        )
        remind = sub.add_parser("remind", help="Send today's aftercare reminder e-mails.")
        remind.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the background worker instead of doing it now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.import_file(options)
        elif options["action"] == "remind":
            if options["enqueue"]:
                result = send_aftercare_reminders.enqueue()
                self.stdout.write(_("Reminders queued (task %(id)s).") % {"id": result.id})
            else:
                sent = send_aftercare_reminders.call()
                self.stdout.write(
                    ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent)
                    % {"count": sent}
                )

    def import_file(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path}, returncode=2)
        organisation = None
        if options["organisation"]:
            code = options["organisation"].strip()
            organisation = next(
                (o for o in organisation_list(q=code) if o.code.upper() == code.upper()), None
            )
            if organisation is None:
                raise CommandError(
                    _("Unknown organisation %(code)s.") % {"code": code}, returncode=2
                )
        try:
            result = incidents_import(
                path=path, organisation=organisation, source=options["source"]
            )
        except IncidentImportError as exc:
            for error in exc.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(str(error))
            hidden = len(exc.errors) - MAX_ERRORS_SHOWN
            if hidden > 0:
                self.stderr.write(
                    ngettext("… and %(count)d more.", "… and %(count)d more.", hidden)
                    % {"count": hidden}
                )
            rows = len([line for line in exc.lines if line > 1]) or len(exc.lines)
            raise CommandError(
                ngettext(
                    "%(path)s has errors on %(rows)d row (%(lines)s); nothing was imported.",
                    "%(path)s has errors on %(rows)d rows (%(lines)s); nothing was imported.",
                    rows,
                )
                % {
                    "path": path,
                    "rows": rows,
                    "lines": ", ".join(str(line) for line in exc.lines[:20]),
                },
                returncode=1,
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(path)s imported: %(count)d incident for %(organisations)s.",
                    "%(path)s imported: %(count)d incidents for %(organisations)s.",
                    result.created,
                )
                % {
                    "path": path,
                    "count": result.created,
                    "organisations": ", ".join(result.organisations),
                }
            )
        )
