"""Periodic jobs of the integrity module (collected by ``vib.operations``)."""

from __future__ import annotations

from datetime import time

from vib.operations.contracts import Job

JOBS = [
    Job(
        name="integrity.deadline_reminders",
        task="vib.integrity.tasks.deadline_reminders",
        daily_at=time(7, 0),
    ),
]
