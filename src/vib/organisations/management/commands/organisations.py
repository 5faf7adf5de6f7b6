"""``vib organisations import [FILE.csv]``: load the registry of Dutch public bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from vib.organisations.services import SHIPPED_FILE, RegistryImportError, registry_import

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = (
        "Registry of organisations: `vib organisations import [FILE.csv]` creates or updates "
        "them by code; without a file it loads the registry that ships with VIB."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import",
            help="Import a CSV file (code,name,tier,province_code,inhabitants,staff,"
            "reference_date); all rows valid or nothing is imported.",
        )
        load.add_argument(
            "file",
            nargs="?",
            help="The CSV file; leave out to load the shipped registry.",
        )
        load.add_argument(
            "--partial",
            action="store_true",
            help="Only create and update: do not deactivate organisations missing from the file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.import_registry(options)

    def import_registry(self, options: dict[str, Any]) -> None:
        path = Path(options["file"]) if options["file"] else SHIPPED_FILE
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path}, returncode=2)
        try:
            with path.open(encoding="utf-8-sig", newline="") as file:
                total = max(sum(1 for line in file if line.strip()) - 1, 0)
        except UnicodeDecodeError:
            raise CommandError(
                _("%(path)s is not a UTF-8 text file.") % {"path": path}, returncode=2
            ) from None

        with tqdm(
            total=total,
            unit="row",
            desc=_("Checking"),
            disable=options["verbosity"] < 1,
        ) as bar:
            try:
                result = registry_import(
                    file=path, full=not options["partial"], progress=bar.update
                )
            except RegistryImportError as exc:
                bar.close()
                for error in exc.errors[:MAX_ERRORS_SHOWN]:
                    self.stderr.write(str(error))
                hidden = len(exc.errors) - MAX_ERRORS_SHOWN
                if hidden > 0:
                    self.stderr.write(
                        ngettext("… and %(count)d more.", "… and %(count)d more.", hidden)
                        % {"count": hidden}
                    )
                raise CommandError(
                    ngettext(
                        "%(path)s has %(count)d error; nothing was imported.",
                        "%(path)s has %(count)d errors; nothing was imported.",
                        len(exc.errors),
                    )
                    % {"path": path, "count": len(exc.errors)},
                    returncode=1,
                ) from None

        self.stdout.write(
            _(
                "Imported %(path)s: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged, %(deactivated)d deactivated."
            )
            % {
                "path": path,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "deactivated": result.deactivated,
            }
        )
        if result.deactivated_codes and options["verbosity"] >= 1:
            self.stdout.write(
                _("Deactivated: %(codes)s") % {"codes": ", ".join(result.deactivated_codes)}
            )
