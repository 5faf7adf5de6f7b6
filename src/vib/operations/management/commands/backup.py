"""``vib backup -o DIR``: the database and the private files in one age-encrypted archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vib.operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the private files into one encrypted archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="Directory for the archive.")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(
                output_dir=Path(options["output"]),
                alias=options["database"],
                progress=lambda message: self.stderr.write(f"… {message}"),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for name in result.skipped:
            self.stderr.write(f"skipped (deleted during the backup): {name}")
        db = result.manifest["database"]
        self.stdout.write(
            f"Wrote {result.archive} ({db['method']}, {len(db['tables'])} tables, "
            f"{len(result.manifest['files'])} files; for "
            f"{', '.join(result.manifest['keys']['recipients'])})."
        )
