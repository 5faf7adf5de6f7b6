"""The ``vib`` console command: a thin wrapper over Django's management commands.

``vib stats …`` goes straight to the statistics engine, which does not load Django.
Everything else is a management command: ``vib demo``, ``vib audit verify``,
``vib organisations import FILE.csv``, ``vib worker``, ``vib runserver`` …
"""

from __future__ import annotations

import os
import sys

# Other names for management commands (``vib worker`` is vib.operations' own command now,
# not an alias of django-tasks-db's ``db_worker``, which exits when the database goes away).
ALIASES: dict[str, str] = {"serve-demo": "servedemo"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "stats":
        from vib.stats.cli import main as stats_main

        return stats_main(args[2:])
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vib.conf.settings")
    from django.core.management import execute_from_command_line

    args[0] = "vib"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
