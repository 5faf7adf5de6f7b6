"""``vib restore FILE``: restore a ``vib backup`` archive into an empty database.

Run it against an empty database (``DATABASE_URL``) and an empty ``VIB_PRIVATE_FILES``
directory, with the age identity file (``--identity`` or ``VIB_BACKUP_IDENTITY``; for an old
``.vibbak`` archive ``VIB_BACKUP_KEY``) and the encryption keys of the backup configured. Do
not run ``migrate`` first: the dump brings the schema with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vib.operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and private-files directory."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The .tar.age (or old .vibbak) file.")
        parser.add_argument(
            "-i",
            "--identity",
            type=Path,
            help="The age identity file (default: VIB_BACKUP_IDENTITY).",
        )
        parser.add_argument(
            "--allow-missing-keys",
            action="store_true",
            help="Restore even when encryption keys of the backup are not configured.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        try:
            result = backup_restore(
                archive=archive,
                identity=options["identity"],
                allow_missing_keys=options["allow_missing_keys"],
                progress=lambda message: self.stderr.write(f"… {message}"),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"Restored {result.tables} tables ({result.rows} rows) and {result.files} files; "
            "every table matches the backup."
        )
