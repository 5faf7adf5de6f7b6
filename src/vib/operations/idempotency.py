"""Making a task's effect happen once, although the task may run more than once.

What django-tasks-db does (read in its ``db_worker``): a worker claims a ``READY`` row with
``SELECT … FOR UPDATE SKIP LOCKED``, sets it ``RUNNING`` and commits; then runs the function
*outside* any transaction and finally marks the row ``SUCCESSFUL`` or ``FAILED``. An exception
is recorded as ``FAILED`` and never retried. A worker that dies mid-task (killed, out of memory,
machine gone) leaves the row ``RUNNING`` for ever: nothing notices.

So VIB adds two things:

1. ``requeue_stale_tasks`` (the ``tasks_recover`` job, every five minutes): a row ``RUNNING``
   for longer than ``VIB_TASK_STALE_SECONDS`` belongs to a dead worker and is put back to
   ``READY``; after ``VIB_TASK_MAX_ATTEMPTS`` claims it is marked ``FAILED`` instead. A task
   may therefore run again after it had (partly) done its work: at-least-once.
2. ``run_once(key)``: the task body writes a ``TaskEffect`` row with a unique key in the same
   transaction as its effect. A re-run finds the row and skips the effect; a crash before the
   commit rolls back effect and row together. At-least-once execution, exactly-once effect::

       @task
       def send_receipt(case_id: str) -> None:
           with run_once(f"integrity.receipt:{case_id}") as first:
               if first:
                   Receipt.objects.create(case_id=case_id, ...)

Effects outside the database (an e-mail, a webhook) cannot share the transaction: write an
outbox row inside ``run_once`` and send it from ``transaction.on_commit``, accepting that a
crash between commit and send loses that one message (at-most-once), or send first and accept
a rare duplicate (at-least-once). Pick per message and say which in the task's docstring.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from vib.conf.env import env_int
from vib.operations.models import TaskEffect

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("vib.tasks")

# Read here, documented in docs/operations.md: longer than the longest task may run.
STALE_AFTER = timedelta(seconds=env_int("VIB_TASK_STALE_SECONDS", 3600))
MAX_ATTEMPTS = env_int("VIB_TASK_MAX_ATTEMPTS", 3)


class WorkerLostError(RuntimeError):
    """Recorded on a task whose worker died ``MAX_ATTEMPTS`` times while running it."""


def _claim(key: str) -> bool:
    try:
        with transaction.atomic():
            TaskEffect.objects.create(key=key)
    except IntegrityError:
        return False
    return True


@contextmanager
def run_once(key: str) -> Iterator[bool]:
    """Open a transaction and yield whether the effect ``key`` is still to be done.

    Do the effect inside the block only when the value is true. The ``TaskEffect`` row and
    the effect commit together, or roll back together when the block raises. Concurrent
    runs with the same key wait for each other (the unique index), so only one does it.
    """
    if not key or len(key) > 200:
        raise ValueError("An effect key must have 1 to 200 characters.")
    with transaction.atomic():
        yield _claim(key)


def effect_done(key: str) -> bool:
    return TaskEffect.objects.filter(key=key).exists()


def hand_back(row: DBTaskResult, *, max_attempts: int) -> bool:
    """Put the ``RUNNING`` task of a worker that is gone back to ``READY``; after
    ``max_attempts`` claims mark it failed with ``WorkerLostError`` instead. Whether it was
    put back."""
    from django_tasks_db.compat import TaskResultStatus

    if len(row.worker_ids) >= max_attempts:
        row.set_failed(WorkerLostError(f"worker lost {len(row.worker_ids)} times"))
        return False
    row.status = TaskResultStatus.READY
    row.save(update_fields=["status"])
    return True


def requeue_stale_tasks(
    *,
    now: datetime | None = None,
    stale_after: timedelta | None = None,
    max_attempts: int | None = None,
) -> tuple[int, int]:
    """Put tasks of dead workers back in the queue. Returns (requeued, given up)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - (stale_after or STALE_AFTER)
    limit = max_attempts or MAX_ATTEMPTS
    requeued = failed = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
        if connection.features.has_select_for_update_skip_locked:
            stale = stale.select_for_update(skip_locked=True)
        for row in stale:
            if hand_back(row, max_attempts=limit):
                requeued += 1
            else:
                failed += 1
    if requeued or failed:
        logger.warning(
            "stale tasks recovered",
            extra={
                "event": "tasks.recover",
                "requeued": requeued,
                "failed": failed,
                "outcome": "failure" if failed else "success",
            },
        )
    return requeued, failed
