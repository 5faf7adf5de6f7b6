"""Tasks run at least once, their effect exactly once (django-tasks-db + run_once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.local import Local
from django.tasks import task, task_backends
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from vib.operations.idempotency import effect_done, requeue_stale_tasks, run_once
from vib.operations.models import DestructionRecord, TaskEffect

pytestmark = pytest.mark.django_db


class SimulatedCrashError(BaseException):
    """Stands in for the worker process dying (kill -9, out of memory)."""


CRASH: dict[str, str] = {"at": ""}


@task
def archive_once(key: str) -> str:
    """A task with one database effect, guarded by run_once, that can 'crash' mid-way."""
    with run_once(f"test.archive:{key}") as first:
        if first:
            DestructionRecord.objects.create(
                module="test", object_type="test.thing", count=1, rule=key, run_date="2026-04-01"
            )
        if CRASH["at"] == "before-commit":
            CRASH["at"] = ""
            raise SimulatedCrashError
    if CRASH["at"] == "after-commit":
        CRASH["at"] = ""
        raise SimulatedCrashError
    return "done" if first else "already done"


def _reset_backends() -> None:
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def db_backend():
    """The production backend (django-tasks-db) instead of the test suite's immediate one."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        _reset_backends()
        yield
    _reset_backends()


def _worker(worker_id: str) -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def _claim(worker_id: str) -> DBTaskResult | None:
    """The claim step of db_worker's loop."""
    with exclusive_transaction():
        row = DBTaskResult.objects.ready().get_locked()
        if row is not None:
            row.claim(worker_id)
    return row


def _die_while_running(worker_id: str) -> None:
    """A worker claims the task and dies in the middle: nothing marks the row."""
    row = _claim(worker_id)
    assert row is not None
    with pytest.raises(SimulatedCrashError):
        row.task.call(*row.task_result.args, **row.task_result.kwargs)


def _run_next(worker_id: str) -> None:
    row = _claim(worker_id)
    assert row is not None
    _worker(worker_id).run_task(row)


def test_run_once_does_an_effect_once_and_rolls_back_with_it():
    with run_once("k1") as first:
        assert first
    with run_once("k1") as again:
        assert not again

    def failing_effect() -> None:
        with run_once("k2") as first:
            assert first
            raise RuntimeError("the effect failed")

    with pytest.raises(RuntimeError):
        failing_effect()
    assert not effect_done("k2")
    with pytest.raises(ValueError, match="key"), run_once(""):
        pass


def test_a_dead_worker_leaves_its_task_running_for_ever(db_backend):
    archive_once.enqueue("a")
    CRASH["at"] = "after-commit"
    _die_while_running("w1")
    assert DBTaskResult.objects.get().status == "RUNNING"
    # django-tasks-db itself never picks it up again.
    assert _claim("w2") is None


@pytest.mark.parametrize("point", ["before-commit", "after-commit"])
def test_a_task_rerun_after_a_crash_midway_has_its_effect_once(db_backend, point):
    archive_once.enqueue("b")
    CRASH["at"] = point
    _die_while_running("w1")
    assert requeue_stale_tasks(stale_after=timedelta(hours=1)) == (0, 0)  # still fresh
    later = timezone.now() + timedelta(hours=2)
    assert requeue_stale_tasks(now=later, stale_after=timedelta(hours=1)) == (1, 0)
    _run_next("w2")
    row = DBTaskResult.objects.get()
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids == ["w1", "w2"]
    assert row.return_value == ("done" if point == "before-commit" else "already done")
    assert DestructionRecord.objects.filter(module="test", rule="b").count() == 1
    assert TaskEffect.objects.filter(key="test.archive:b").count() == 1


def test_a_task_that_keeps_killing_its_worker_is_given_up(db_backend):
    archive_once.enqueue("c")
    later = timezone.now() + timedelta(hours=2)
    for attempt in range(3):
        CRASH["at"] = "after-commit"
        _die_while_running(f"w{attempt}")
        requeued, failed = requeue_stale_tasks(
            now=later, stale_after=timedelta(hours=1), max_attempts=3
        )
    assert (requeued, failed) == (0, 1)
    row = DBTaskResult.objects.get()
    assert row.status == "FAILED"
    assert "WorkerLostError" in row.exception_class_path
    assert DestructionRecord.objects.filter(rule="c").count() == 1
