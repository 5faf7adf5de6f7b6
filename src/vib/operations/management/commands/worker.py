"""``vib worker``: run background tasks; keeps going through database outages.

django-tasks-db's ``db_worker`` with the same options, plus ``--backoff-max``; the loop is
``vib.operations.worker.Worker`` (what it does when the database goes away is described there
and in ``docs/operations.md``).
"""

from __future__ import annotations

import math
import os
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from vib.operations.worker import BACKOFF_MAX, Worker


def positive_seconds(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ArgumentTypeError("Must be a positive number of seconds")
    return number


class Command(db_worker.Command):
    help = "Run the background-task worker; it waits out database outages instead of exiting."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--backoff-max",
            type=positive_seconds,
            default=BACKOFF_MAX,
            help="While the database is unavailable, try again after 1, 2, 4 … seconds, "
            "at most this many (default: %(default)r)",
        )

    def handle(  # type: ignore[override]
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        backoff_max: float,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False  # as db_worker: --batch wins
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
            backoff_max=backoff_max,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
