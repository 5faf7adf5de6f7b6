"""Periodic jobs of operations itself (see docs/modules.md, "Periodic jobs and retention")."""

from __future__ import annotations

from datetime import time, timedelta

from vib.operations.contracts import Job

JOBS: list[Job] = [
    Job(
        name="operations.retention", task="vib.operations.tasks.retention_run", daily_at=time(3, 30)
    ),
    Job(
        name="operations.tasks_recover",
        task="vib.operations.tasks.tasks_recover",
        every=timedelta(minutes=5),
    ),
]
