"""``vib privacy export --email X -o FILE.json``: a data-subject export (AVG art. 15)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from vib.accounts.models import User
from vib.operations.subject import subject_export


class Command(BaseCommand):
    help = "Privacy requests: export everything held about a person (AVG art. 15)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Export everything held about one person.")
        export.add_argument("--email", required=True, help="The person's e-mail address.")
        export.add_argument("-o", "--output", required=True, help="The JSON file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = User.objects.normalize_email(options["email"]).lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError("No user has this e-mail address.")
        data = subject_export(user=user)
        target = Path(options["output"])
        # The export is personal data: readable by the owner only.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        self.stdout.write(f"Wrote the export to {target}.")
