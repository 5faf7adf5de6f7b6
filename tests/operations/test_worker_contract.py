"""The parts of django-tasks-db that ``vib.operations.worker`` builds on (ADR 0122).

VIB's worker subclasses django-tasks-db's ``db_worker.Worker`` and uses its constructor's
attributes, its run counter ``_run_tasks`` and its signal handling. pyproject.toml pins the
version; this test fails when an upgrade changes what the subclass relies on, so the upgrade
is a reviewed change and not a silent one.
"""

from __future__ import annotations

import hashlib
import inspect
from importlib import metadata

from django_tasks_db import compat, utils
from django_tasks_db.management.commands import db_worker

from vib.operations.worker import Worker

PINNED = "0.13.0"
# SHA-256 of the upstream modules as released in PINNED. After an upgrade, read their diff
# against the subclass (claim, run, signals, counters), adapt it, then record the new sums.
SOURCES = {
    db_worker: "bafee8596d2e2d462bb257643783877aebe97f869beb8e74510a2f99b659d757",
    compat: "948d4dfcd867e98eacccb6c4d9bf6673a9ce01c05f329a364eb967c0133d74fb",
    utils: "5388778a7c7a8366d769ae1801710c45ef23ad9a0102f2d699d88c0b89b969fe",
}
# What the subclass reads or writes of the base class's state.
ATTRIBUTES = {
    "worker_id",
    "queue_names",
    "process_all_queues",
    "excluded_queue_names",
    "interval",
    "batch",
    "backend_name",
    "startup_delay",
    "max_tasks",
    "running",
    "running_task",
    "_run_tasks",
}


def test_the_pinned_release_is_installed() -> None:
    assert metadata.version("django-tasks-db") == PINNED


def test_the_upstream_modules_are_the_ones_the_worker_was_written_against() -> None:
    changed = [
        module.__name__
        for module, digest in SOURCES.items()
        if hashlib.sha256(inspect.getsource(module).encode()).hexdigest() != digest
    ]
    assert not changed, f"django-tasks-db changed under vib.operations.worker: {changed}"


def test_the_base_worker_sets_what_the_subclass_uses() -> None:
    worker = Worker(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="contract",
        excluded_queue_names=[],
    )
    missing = sorted(name for name in ATTRIBUTES if not hasattr(worker, name))
    assert not missing, f"db_worker.Worker no longer sets {missing}"
    assert worker._run_tasks == 0
    assert callable(db_worker.Worker.shutdown)
    assert callable(db_worker.Worker.configure_signals)
