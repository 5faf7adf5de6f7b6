"""Periodic jobs of the audit log (collected by ``vib.operations``)."""

from __future__ import annotations

from datetime import timedelta

from vib.operations.contracts import Job

JOBS = [
    # Events removed from the end of the chain are found only against a checkpoint written
    # before they were removed: the interval bounds what can go unnoticed.
    Job(name="audit.checkpoint", task="vib.audit.tasks.checkpoint", every=timedelta(hours=1)),
]
