"""``vib keys rotate``: re-wrap the data keys with the newest master key and, with
``--data-keys``, give every organisation a new data key and re-encrypt its data online."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vib.integrity import keys


class Command(BaseCommand):
    help = "Rotate the encryption keys of integrity reports without downtime."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser("rotate", help="Re-wrap data keys; optionally new data keys.")
        rotate.add_argument(
            "--data-keys",
            action="store_true",
            help="Also create a new data key per organisation and re-encrypt its data.",
        )
        rotate.add_argument(
            "--organisation",
            action="append",
            default=None,
            help="Organisation code (repeatable); default: all.",
        )
        rotate.add_argument("--batch", type=int, default=200)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action != "rotate":
            raise CommandError(f"Unknown action {action!r}.")
        rewrapped = keys.master_rewrap()
        self.stdout.write(f"Re-wrapped {rewrapped} data key(s) with the first master key.")
        if options["data_keys"]:
            ids = None
            if options["organisation"]:
                from vib.organisations.models import Organisation

                found = dict(
                    Organisation.objects.filter(code__in=options["organisation"]).values_list(
                        "code", "id"
                    )
                )
                missing = set(options["organisation"]) - set(found)
                if missing:
                    raise CommandError(
                        f"Unknown organisation code(s): {', '.join(sorted(missing))}"
                    )
                ids = list(found.values())
            result = keys.data_keys_rotate(organisation_ids=ids, batch=options["batch"])
            total = sum(result.values())
            self.stdout.write(
                f"New data keys for {len(result)} organisation(s); re-encrypted {total} value(s)."
            )
        self.stdout.write(self.style.SUCCESS("Done."))
