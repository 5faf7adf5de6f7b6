"""The background-task worker (``vib worker``) that outlives a database outage.

django-tasks-db's own worker (``db_worker``; read ``django_tasks_db/management/commands/
db_worker.py``) raises out of its loop on every database error except SQLite's "database is
locked": a PostgreSQL restart or fail-over ends the process, and a task in hand stays
``RUNNING`` until ``tasks_recover`` requeues it an hour later (ADR 0061). This is that worker —
same claim (``SELECT … FOR UPDATE SKIP LOCKED``), same options, same task signals — with what a
database outage needs:

- **Polling.** ``OperationalError``/``InterfaceError`` while claiming a task: close the broken
  connections, log ``worker.database_unavailable`` (the error's class and SQLSTATE; never its
  message, arguments or anything personal), wait 1, 2, 4, … s up to ``backoff_max`` (30 s) and
  poll again. The first poll that works logs ``worker.database_available``.
- **A task interrupted by the outage** (its body met a connectivity error,
  :func:`vib.operations.dbdown.is_outage`, and the connection is gone) is *not* marked
  ``FAILED``, as django-tasks-db would if it could. When the database answers again the worker
  puts it back to ``READY`` — or marks it failed with ``WorkerLostError`` after
  ``VIB_TASK_MAX_ATTEMPTS`` claims: the rule of ``requeue_stale_tasks``, applied at once by the
  one worker that knows the task is no longer running. A row it cannot hand back (the worker
  was stopped first) is a dead worker's row, and ``tasks_recover`` requeues it after
  ``VIB_TASK_STALE_SECONDS``. Either way the task runs again: at least once, and its effect
  happens once when the body uses :func:`vib.operations.idempotency.run_once`.
- **A task that ran but whose end could not be recorded** (``SUCCESSFUL``/``FAILED`` failed to
  save) keeps its outcome in memory and records it once the database answers; it is not run
  again. Both hand-back and late record only touch a row that is still ``RUNNING`` under this
  worker's id, so they never undo another worker's claim.
- **Signals** as django-tasks-db: SIGTERM/SIGINT finish the task in hand and stop; idle,
  polling or backing off, the worker stops at once (status 0); a second signal ends a running
  task, which is then recorded as failed.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections, router
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from vib.operations.dbdown import is_outage
from vib.operations.idempotency import MAX_ATTEMPTS, hand_back

logger = logging.getLogger("vib.worker")

DATABASE_ERRORS = (OperationalError, InterfaceError)
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0

Record = Callable[[DBTaskResult], None]


def backoff_delay(
    failures: int, *, first: float = BACKOFF_FIRST, ceiling: float = BACKOFF_MAX
) -> float:
    """Seconds to wait after the ``failures``-th failed attempt in a row: 1, 2, 4 … ``ceiling``."""
    return min(ceiling, first * 2 ** min(max(failures - 1, 0), 32))


def connection_usable(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the connection a task used still answers (after the task raised)."""
    conn = connections[alias]
    if conn.connection is None:
        return False
    try:
        return bool(conn.is_usable())
    except Exception:
        return False


def close_connections() -> None:
    """Drop every open connection; the next query opens a new one."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):  # it was broken: closed all the same
            conn.close()


def _describe(exc: BaseException) -> dict[str, str]:
    """Log fields of a database error: its class and SQLSTATE, not its message."""
    cause = exc.__cause__ or exc
    return {"error": type(cause).__name__, "sqlstate": str(getattr(cause, "sqlstate", "") or "")}


def _successful(value: Any) -> Record:
    def record(row: DBTaskResult) -> None:
        try:
            row.set_successful(value)
        except DATABASE_ERRORS:
            raise
        except Exception as exc:  # e.g. a return value JSON cannot hold: as django-tasks-db
            row.set_failed(exc)

    return record


def _failed(exc: BaseException) -> Record:
    def record(row: DBTaskResult) -> None:
        row.set_failed(exc)

    return record


@dataclass
class Unfinished:
    """A claimed task the database went away from.

    ``record`` writes its known outcome; ``None`` means it did not finish: run it again.
    """

    task_id: str
    record: Record | None


class Worker(db_worker.Worker):
    """django-tasks-db's worker, kept alive through database outages (module docstring)."""

    def __init__(
        self,
        *,
        backoff_first: float = BACKOFF_FIRST,
        backoff_max: float = BACKOFF_MAX,
        sleep: Callable[[float], object] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.sleep = sleep
        self.failures = 0  # failed attempts in a row
        self.down_since: float | None = None
        self.phase = "poll"  # what the worker was doing when the database went away
        self.unfinished: Unfinished | None = None

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        logger.info(
            "worker started",
            extra={
                "event": "worker.start",
                "worker_id": self.worker_id,
                "queues": ",".join(self.queue_names),
                "outcome": "success",
            },
        )
        if self.startup_delay and self.interval:
            self.sleep(random.random())  # spreads workers that start together
        try:
            while self.running:
                try:
                    if self.step():
                        return
                except DATABASE_ERRORS as exc:
                    self.database_unavailable(exc)
        finally:
            if self.unfinished is not None:
                logger.warning(
                    "worker stopped before the database came back; tasks_recover will requeue"
                    " the task",
                    extra={
                        "event": "worker.task_left",
                        "worker_id": self.worker_id,
                        "task_id": self.unfinished.task_id,
                        "outcome": "failure",
                    },
                )
            logger.info(
                "worker stopped",
                extra={"event": "worker.stop", "worker_id": self.worker_id, "outcome": "success"},
            )

    def step(self) -> bool:
        """Settle what an outage left, claim a task and run it. True when the worker is done."""
        close_old_connections()  # drops connections that failed or outlived CONN_MAX_AGE
        if self.unfinished is not None:
            self.settle()
            self.database_available()
        self.phase = "poll"
        row, polled = self.claim_next()
        self.database_available()
        if row is not None:
            self.run_task(row)
        if self.batch and polled and row is None:
            logger.info(
                "no more tasks: worker done",
                extra={"event": "worker.batch_done", "worker_id": self.worker_id},
            )
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info(
                "maximum number of tasks run: worker done",
                extra={"event": "worker.max_tasks", "worker_id": self.worker_id},
            )
            return True
        close_old_connections()
        if self.running and row is None:
            self.sleep(self.interval)
        return False

    def claim_next(self) -> tuple[DBTaskResult | None, bool]:
        """Claim the next ready task: (the row or None, whether the queue could be read)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        row = None
        try:
            with exclusive_transaction(tasks.db):
                row = tasks.get_locked()
                if row is not None:
                    row.claim(self.worker_id)
                    # From here a signal lets the task run to its end instead of
                    # stopping between the claim and the run.
                    self.running_task = True
        except DATABASE_ERRORS as exc:
            self.running_task = False
            if isinstance(exc, OperationalError) and exc.args and is_locked_database_exception(exc):
                return None, False  # SQLite: another worker is writing; try again
            if row is not None:
                # The COMMIT of the claim may have reached the database: if the row is
                # RUNNING under this worker once it answers again, hand it back.
                self.unfinished = Unfinished(task_id=str(row.pk), record=None)
            raise
        return row, True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a claimed task and record its end (django-tasks-db's, outage-aware)."""
        row = db_task_result
        self.running_task = True
        self.phase = "task"
        try:
            try:
                task = row.task
                task_result = row.task_result
                task_started.send(sender=type(task.get_backend()), task_result=task_result)
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except DATABASE_ERRORS as exc:
                if is_outage(exc) and not connection_usable():
                    self.unfinished = Unfinished(task_id=str(row.pk), record=None)
                    logger.warning(
                        "task interrupted by a database outage; it will run again",
                        extra={
                            "event": "worker.task_interrupted",
                            "worker_id": self.worker_id,
                            "task_id": str(row.pk),
                            "outcome": "failure",
                            **_describe(exc),
                        },
                    )
                    raise
                self.finish(row, _failed(exc))
            except BaseException as exc:  # as django-tasks-db: everything else is a failure
                self.finish(row, _failed(exc))
            else:
                self.finish(row, _successful(value))
        finally:
            self.running_task = False
            self._run_tasks += 1

    def finish(self, row: DBTaskResult, record: Record) -> None:
        """Record a task's end; if the database has gone, keep it to record later."""
        self.phase = "finish"
        try:
            record(row)
        except DATABASE_ERRORS:
            self.unfinished = Unfinished(task_id=str(row.pk), record=record)
            raise
        self._send_finished(row)

    # -- after an outage --------------------------------------------------------------------

    def settle(self) -> None:
        """Record the end of the task an outage interrupted, or hand it back to the queue."""
        unfinished = self.unfinished
        assert unfinished is not None
        self.phase = "settle"
        try:
            outcome = self._settle(unfinished)
        except DATABASE_ERRORS as exc:
            if is_outage(exc):
                raise  # still down: back off and try again
            # The database answered with an error: stop trying; tasks_recover has the row.
            self.unfinished = None
            logger.error(
                "could not settle an interrupted task; tasks_recover will requeue it",
                extra={
                    "event": "worker.task_settle_failed",
                    "worker_id": self.worker_id,
                    "task_id": unfinished.task_id,
                    "outcome": "failure",
                    **_describe(exc),
                },
            )
            return
        self.unfinished = None
        logger.warning(
            "task interrupted by a database outage settled",
            extra={
                "event": "worker.task_settled",
                "worker_id": self.worker_id,
                "task_id": unfinished.task_id,
                "result": outcome,
                "outcome": "failure" if outcome == "given_up" else "success",
            },
        )

    def _settle(self, unfinished: Unfinished) -> str:
        with exclusive_transaction(router.db_for_write(DBTaskResult)):
            row = DBTaskResult.objects.select_for_update().filter(pk=unfinished.task_id).first()
            if (
                row is None
                or row.status != TaskResultStatus.RUNNING
                or row.worker_ids[-1:] != [self.worker_id]
            ):
                return "not_ours"  # never claimed, or requeued and claimed by another worker
            if unfinished.record is not None:
                unfinished.record(row)
                outcome = "recorded"
            elif hand_back(row, max_attempts=MAX_ATTEMPTS):
                return "requeued"
            else:
                outcome = "given_up"
        self._send_finished(row)
        return outcome

    def database_unavailable(self, exc: BaseException) -> None:
        """Close the broken connections, say so, and wait before the next attempt."""
        close_connections()
        self.failures += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
        delay = backoff_delay(self.failures, first=self.backoff_first, ceiling=self.backoff_max)
        logger.warning(
            "database unavailable; trying again",
            extra={
                "event": "worker.database_unavailable",
                "worker_id": self.worker_id,
                "phase": self.phase,
                "attempt": self.failures,
                "retry_in": delay,
                "outcome": "failure",
                **_describe(exc),
            },
        )
        if self.running:
            self.sleep(delay)

    def database_available(self) -> None:
        if self.down_since is None:
            return
        logger.warning(
            "database available again",
            extra={
                "event": "worker.database_available",
                "worker_id": self.worker_id,
                "attempts": self.failures,
                "down_seconds": round(time.monotonic() - self.down_since, 1),
                "outcome": "success",
            },
        )
        self.failures = 0
        self.down_since = None

    @staticmethod
    def _send_finished(row: DBTaskResult) -> None:
        try:
            sender = type(row.task.get_backend())
            task_result = row.task_result
        except (ImportError, SuspiciousOperation):
            logger.exception(
                "task failed unexpectedly",
                extra={"event": "worker.task_unknown", "task_id": str(row.pk)},
            )
        else:
            task_finished.send(sender=sender, task_result=task_result)
