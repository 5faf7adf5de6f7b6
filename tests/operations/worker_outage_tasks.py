"""A task for the worker process of ``test_worker.py``: one effect, then a wait in which the
test cuts the worker's database connection."""

from __future__ import annotations

from django.db import connection
from django.tasks import task

from vib.operations.idempotency import run_once
from vib.operations.models import DestructionRecord


@task
def effect_then_wait(key: str, seconds: float) -> str:
    """Record one ``DestructionRecord`` (once per key), then wait ``seconds`` in PostgreSQL."""
    with run_once(f"test.worker:{key}") as first:
        if first:
            DestructionRecord.objects.create(
                module="test", object_type="test.worker", count=1, rule=key, run_date="2026-04-01"
            )
    if first and seconds:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return "done" if first else "already done"
