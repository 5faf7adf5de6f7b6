"""Periodic jobs of incident registration (see docs/modules.md, "Periodic jobs and retention")."""

from __future__ import annotations

from datetime import time

from vib.operations.contracts import Job

JOBS: list[Job] = [
    Job(
        name="incidents.aftercare_reminders",
        task="vib.incidents.tasks.send_aftercare_reminders",
        daily_at=time(7, 0),
    ),
]
