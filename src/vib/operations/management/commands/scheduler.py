"""``vib scheduler``: enqueue periodic jobs when they are due (run one per deployment or more;
they agree through the database). ``--once`` does one pass and exits."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vib.operations.scheduler import collect_jobs, scheduler_pass, seconds_until_next


class Command(BaseCommand):
    help = "Enqueue the periodic jobs of all modules when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--max-sleep",
            type=float,
            default=30.0,
            help="Look again at least this often, in seconds (default 30).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            for name in scheduler_pass():
                self.stdout.write(f"enqueued {name}")
            return
        self.running = True

        def stop(signum: int, frame: FrameType | None) -> None:
            self.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        count = len(collect_jobs())
        self.stdout.write(
            ngettext(
                "Scheduler started with %(count)d periodic job.",
                "Scheduler started with %(count)d periodic jobs.",
                count,
            )
            % {"count": count}
        )
        while self.running:
            close_old_connections()
            try:
                for name in scheduler_pass():
                    self.stdout.write(f"enqueued {name}")
                pause = seconds_until_next(ceiling=options["max_sleep"])
            except Exception as exc:  # the database restarts: keep going, try again soon
                self.stderr.write(f"scheduler pass failed: {type(exc).__name__}")
                close_old_connections()
                pause = options["max_sleep"]
            deadline = time.monotonic() + max(pause, 0.5)
            while self.running and time.monotonic() < deadline:
                time.sleep(min(0.5, deadline - time.monotonic()))
        self.stdout.write(_("Scheduler stopped."))
