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
    """Put tasks of workers that died back in the queue (every five minutes)."""
    requeued, failed = idempotency.requeue_stale_tasks()
    return {"requeued": requeued, "failed": failed}
