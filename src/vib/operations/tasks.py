"""Background jobs of operations (Django's tasks API; ``vib worker`` runs them)."""

from __future__ import annotations

from datetime import date

from django.tasks import task

from vib.operations import idempotency, services


@task
def retention_run(today: str | None = None) -> int:
    """Run the retention of every module and record what it destroyed (daily)."""
    day = date.fromisoformat(today) if today else None
    return len(services.retention_run(today=day))


@task
def tasks_recover() -> dict[str, int]:
    """Put tasks of workers that died back in the queue (every five minutes).

    Also the tasks of workers stopped while the database was away: a running worker hands
    back a task an outage cut off itself (``vib.operations.worker``).
    """
    requeued, failed = idempotency.requeue_stale_tasks()
    return {"requeued": requeued, "failed": failed}
