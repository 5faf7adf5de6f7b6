"""``vib integrity remind|retention``: run (or enqueue with ``--enqueue``) the scheduled jobs.

Schedule both daily (cron or a systemd timer); they are idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vib.integrity import services, tasks


class Command(BaseCommand):
    help = "Deadline reminders and the retention job of integrity cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", choices=["remind", "retention"])
        parser.add_argument("--enqueue", action="store_true", help="Hand the job to the worker.")

    def handle(self, *args: Any, job: str, enqueue: bool, **options: Any) -> None:
        if enqueue:
            task = tasks.deadline_reminders if job == "remind" else tasks.retention
            result = task.enqueue()
            self.stdout.write(f"Enqueued {job} ({result.id}).")
            return
        if job == "remind":
            self.stdout.write(f"Sent {services.deadline_reminders_send()} reminder(s).")
        else:
            records = services.retention_run()
            self.stdout.write(f"Destroyed {len(records)} case(s); destruction records written.")
