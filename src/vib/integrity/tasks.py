"""Background jobs (Django's tasks API; ``vib worker`` runs them)."""

from __future__ import annotations

from django.tasks import task

from vib.integrity import services


@task
def deadline_reminders() -> int:
    """Remind designated handlers of acknowledgement and feedback deadlines (daily)."""
    return services.deadline_reminders_send()


@task
def retention() -> int:
    """Delete or anonymise cases whose retention period ended (daily)."""
    return len(services.retention_run())
