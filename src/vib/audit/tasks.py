"""Background jobs of the audit log (``vib worker`` runs them)."""

from __future__ import annotations

from django.tasks import task

from vib.audit.services import audit_checkpoint_write


@task
def checkpoint() -> str:
    """Write a signed checkpoint of the chain's end (hourly); returns the file's name."""
    return audit_checkpoint_write().name
