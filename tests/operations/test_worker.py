"""``vib worker`` waits out a database outage instead of exiting (vib.operations.worker).

The loop tests run in-process on either database, with the outage simulated (the claim query
or the task raises ``OperationalError``) and the back-off sleep recorded instead of slept. The
last test is the real thing on PostgreSQL: a worker process whose connections the test
terminates with ``pg_terminate_backend``, and a database that refuses connections for a while
(``ALLOW_CONNECTIONS false``) — the shared server itself is never restarted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asgiref.local import Local
from django.core.management import call_command
from django.db import OperationalError, connection
from django.tasks import task, task_backends
from django.test import override_settings
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from vib.operations import worker as worker_module
from vib.operations.idempotency import run_once
from vib.operations.models import DestructionRecord, TaskEffect
from vib.operations.worker import Worker, backoff_delay

HERE = Path(__file__).resolve().parent

# -- tasks the in-process worker runs ------------------------------------------------------------

STATE: dict[str, Any] = {"runs": 0, "drop": 0}


@task
def effect_then_drop(key: str) -> str:
    """One effect (once per key); then, while ``STATE["drop"]`` lasts, the connection 'drops'."""
    STATE["runs"] += 1
    with run_once(f"test.worker:{key}") as first:
        if first:
            DestructionRecord.objects.create(
                module="test", object_type="test.worker", count=1, rule=key, run_date="2026-04-01"
            )
    if STATE["drop"]:
        STATE["drop"] -= 1
        raise OperationalError("server closed the connection unexpectedly")
    return "done" if first else "already done"


@task
def query_fails() -> None:
    """An ordinary database error (the database is there): a failure, not an outage."""
    raise OperationalError("canceling statement due to lock timeout")


def _reset_backends() -> None:
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)  # type: ignore[attr-defined]


@pytest.fixture
def db_backend(monkeypatch):
    """The production backend (django-tasks-db) instead of the test suite's immediate one.

    The worker's connection closing is left out: it would close the test's transaction (the
    worker process below closes its real connections).
    """
    STATE.update(runs=0, drop=0)
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker_module, "close_connections", lambda: None)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        _reset_backends()
        yield
    _reset_backends()


@pytest.fixture
def slept() -> list[float]:
    return []


def _worker(slept: list[float], **options: Any) -> Worker:
    defaults: dict[str, Any] = {
        "queue_names": ["*"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "w1",
        "excluded_queue_names": [],
        "sleep": slept.append,
    }
    return Worker(**{**defaults, **options})


def _events(caplog: pytest.LogCaptureFixture, event: str) -> list[Any]:
    return [r for r in caplog.records if getattr(r, "event", None) == event]


@pytest.fixture
def claim_fails(monkeypatch) -> Callable[[int], list[int]]:
    """Make the next ``n`` claim queries fail as if PostgreSQL were restarting."""

    def install(n: int) -> list[int]:
        calls: list[int] = []
        real = DBTaskResultQuerySet.get_locked

        def get_locked(self: DBTaskResultQuerySet) -> DBTaskResult | None:
            calls.append(1)
            if len(calls) <= n:
                raise OperationalError("connection to server failed: Connection refused")
            return real(self)

        monkeypatch.setattr(DBTaskResultQuerySet, "get_locked", get_locked)
        return calls

    return install


# -- the loop ------------------------------------------------------------------------------------


def test_backoff_doubles_from_one_second_up_to_thirty():
    assert [backoff_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff_delay(10_000) == 30  # hours of outage do not overflow
    assert backoff_delay(3, first=0.5, ceiling=1.5) == 1.5


@pytest.mark.django_db
def test_polling_through_an_outage_backs_off_and_then_runs_the_task(
    db_backend, slept, claim_fails, caplog
):
    effect_then_drop.enqueue("poll")
    calls = claim_fails(7)
    caplog.set_level("INFO", logger="vib.worker")
    _worker(slept).run()

    assert slept == [1, 2, 4, 8, 16, 30, 30]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert len(calls) == 9  # seven failures, the claim, the empty queue
    down = _events(caplog, "worker.database_unavailable")
    assert [(r.phase, r.attempt, r.retry_in) for r in down][:3] == [
        ("poll", 1, 1.0),
        ("poll", 2, 2.0),
        ("poll", 3, 4.0),
    ]
    assert {(r.levelname, r.error, r.outcome) for r in down} == {
        ("WARNING", "OperationalError", "failure")
    }
    # The error's class, not its message: messages can hold host names or values.
    assert all("refused" not in r.getMessage() for r in down)
    (back,) = _events(caplog, "worker.database_available")
    assert back.attempts == 7


@pytest.mark.django_db
def test_a_task_interrupted_by_the_outage_runs_again_and_has_its_effect_once(
    db_backend, slept, monkeypatch, caplog
):
    effect_then_drop.enqueue("interrupted")
    STATE["drop"] = 1
    # In PostgreSQL the connection is gone after such an error; SQLite cannot lose it.
    monkeypatch.setattr(worker_module, "connection_usable", lambda alias="default": False)
    caplog.set_level("INFO", logger="vib.worker")
    _worker(slept).run()

    row = DBTaskResult.objects.get()
    assert row.status == "SUCCESSFUL"
    assert row.return_value == "already done"  # the second run found the effect done
    assert row.worker_ids == ["w1", "w1"]
    assert STATE["runs"] == 2
    assert DestructionRecord.objects.filter(rule="interrupted").count() == 1
    assert TaskEffect.objects.filter(key="test.worker:interrupted").count() == 1
    assert slept == [1]
    assert [r.phase for r in _events(caplog, "worker.database_unavailable")] == ["task"]
    (settled,) = _events(caplog, "worker.task_settled")
    assert settled.result == "requeued"


@pytest.mark.django_db
def test_a_task_interrupted_again_and_again_is_given_up(db_backend, slept, monkeypatch):
    effect_then_drop.enqueue("again")
    STATE["drop"] = 10
    monkeypatch.setattr(worker_module, "connection_usable", lambda alias="default": False)
    monkeypatch.setattr(worker_module, "MAX_ATTEMPTS", 2)
    _worker(slept).run()

    row = DBTaskResult.objects.get()
    assert row.status == "FAILED"
    assert "WorkerLostError" in row.exception_class_path
    assert STATE["runs"] == 2
    assert DestructionRecord.objects.filter(rule="again").count() == 1


@pytest.mark.django_db
def test_an_end_that_could_not_be_recorded_is_recorded_later_without_running_again(
    db_backend, slept, monkeypatch, caplog
):
    effect_then_drop.enqueue("finish")
    real = DBTaskResult.set_successful
    failures = [1]

    def set_successful(self: DBTaskResult, value: Any) -> None:
        if failures:
            failures.pop()
            raise OperationalError("terminating connection due to administrator command")
        real(self, value)

    monkeypatch.setattr(DBTaskResult, "set_successful", set_successful)
    caplog.set_level("INFO", logger="vib.worker")
    _worker(slept).run()

    row = DBTaskResult.objects.get()
    assert (row.status, row.return_value, row.worker_ids) == ("SUCCESSFUL", "done", ["w1"])
    assert STATE["runs"] == 1
    assert [r.phase for r in _events(caplog, "worker.database_unavailable")] == ["finish"]
    (settled,) = _events(caplog, "worker.task_settled")
    assert settled.result == "recorded"


@pytest.mark.django_db
def test_a_claim_whose_commit_failed_is_not_handed_back_twice(
    db_backend, slept, monkeypatch, caplog
):
    effect_then_drop.enqueue("claim")
    real = DBTaskResult.claim
    failures = [1]

    def claim(self: DBTaskResult, worker_id: str) -> None:
        real(self, worker_id)
        if failures:
            failures.pop()
            raise OperationalError("server closed the connection unexpectedly")  # at COMMIT

    monkeypatch.setattr(DBTaskResult, "claim", claim)
    caplog.set_level("INFO", logger="vib.worker")
    _worker(slept).run()

    row = DBTaskResult.objects.get()
    assert (row.status, row.worker_ids, STATE["runs"]) == ("SUCCESSFUL", ["w1"], 1)
    # The claim rolled back: the row was READY, not this worker's to hand back.
    (settled,) = _events(caplog, "worker.task_settled")
    assert settled.result == "not_ours"


@pytest.mark.django_db
def test_a_database_error_with_the_database_there_fails_the_task_as_before(db_backend, slept):
    query_fails.enqueue()
    _worker(slept).run()

    row = DBTaskResult.objects.get()
    assert row.status == "FAILED"
    assert row.worker_ids == ["w1"]
    assert slept == []


@pytest.mark.django_db
def test_sigterm_while_backing_off_stops_the_worker_at_once(db_backend, claim_fails, caplog):
    calls = claim_fails(1000)
    signals: list[float] = []

    def sleep(seconds: float) -> None:
        signals.append(seconds)
        worker.shutdown(signal.SIGTERM, None)  # what the handler does when the signal comes

    worker = _worker([], sleep=sleep, batch=False)
    caplog.set_level("INFO", logger="vib.worker")
    with pytest.raises(SystemExit) as stopped:
        worker.run()
    assert stopped.value.code == 0
    assert signals == [1]
    assert len(calls) == 1
    assert _events(caplog, "worker.stop")
    assert not _events(caplog, "worker.task_left")


@pytest.mark.django_db
def test_vib_worker_is_the_command_that_waits_out_outages(db_backend, claim_fails):
    effect_then_drop.enqueue("command")
    claim_fails(1)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "worker", "--batch", "--no-reload", "--no-startup-delay", "--backoff-max", "0.01"
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# -- the real thing: a worker process and PostgreSQL ---------------------------------------------


@dataclass
class Scratch:
    name: str
    url: str
    params: dict[str, Any]

    def admin(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(**{**self.params, "dbname": "postgres"}, autocommit=True) as conn:
            rows = conn.execute(sql.replace("{db}", self.name))
            return rows.fetchall() if rows.description else []

    def query(self, sql: str, *args: Any) -> list[tuple]:
        import psycopg

        with psycopg.connect(**{**self.params, "dbname": self.name}) as conn:
            return conn.execute(sql, args).fetchall()

    def backends(self) -> list[tuple]:
        """(pid, query) of every session on the scratch database: the worker's."""
        return self.admin(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = '{db}'"
            " AND pid <> pg_backend_pid()"
        )

    def cut(self) -> int:
        """Terminate every connection to the scratch database: what a restart does to them."""
        return len(
            self.admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = '{db}' AND pid <> pg_backend_pid()"
            )
        )

    def refuse(self, refuse: bool) -> None:
        """Let no one connect (a server that is down or starting up), or let them again."""
        self.admin(f'ALTER DATABASE "{{db}}" ALLOW_CONNECTIONS {"false" if refuse else "true"}')


@pytest.fixture(scope="module")
def scratch_postgres(django_db_setup, django_db_blocker) -> Iterator[Scratch]:
    """A migrated PostgreSQL database of its own, copied from the test database (module-scoped:
    made before the test's own transaction opens a connection to the template)."""
    import psycopg

    from vib.operations.backup import _pg_params

    with django_db_blocker.unblock():
        settings = connection.settings_dict
        name = f"{settings['NAME']}_worker_{uuid.uuid4().hex[:6]}"
        params = _pg_params(settings)
        connection.close()
        with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    scratch = Scratch(name, f"postgres://{user}{password}@{host}:{port}/{name}", params)
    try:
        yield scratch
    finally:
        scratch.refuse(False)
        scratch.admin('DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _log_events(log: Path) -> list[dict[str, Any]]:
    events = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            events.append(record)
    return events


def _wait(what: str, check: Callable[[], Any], log: Path, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the test cuts the worker's server connections "
    "(pg_terminate_backend); SQLite is a file, there is no connection to lose",
)
@pytest.mark.django_db  # so that pytest-django sets up the test database the scratch copies
def test_a_worker_process_survives_postgresql_cutting_it_off(scratch_postgres, tmp_path):
    db = scratch_postgres
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIB_", "DJANGO_"))}
    env.update(
        VIB_ENV="test",
        DATABASE_URL=db.url,
        VIB_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="worker_outage_settings",
        PYTHONPATH=os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p),
        PYTHONUNBUFFERED="1",
        VIB_DB_CONN_MAX_AGE="60",  # a kept connection, as in production: the one a restart cuts
        VIB_LOG_FORMAT="json",
        VIB_LOG_LEVEL="INFO",
    )
    log = tmp_path / "worker.log"
    worker_id = f"outage-{uuid.uuid4().hex[:8]}"

    def events(name: str) -> list[dict[str, Any]]:
        return [e for e in _log_events(log) if e.get("event") == name]

    def enqueue(key: str, seconds: float) -> str:
        code = (
            "from worker_outage_tasks import effect_then_wait as t; "
            f"print('TASK', t.enqueue({key!r}, {seconds}).id)"
        )
        done = subprocess.run(
            [sys.executable, "-m", "vib", "shell", "--no-imports", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return re.search(r"TASK (\S+)", done.stdout).group(1)  # type: ignore[union-attr]

    def status(task_id: str) -> tuple[str, list[str], Any]:
        ((state, worker_ids, value),) = db.query(
            "SELECT status, worker_ids, return_value FROM django_tasks_database_dbtaskresult"
            " WHERE id = %s",
            task_id,
        )
        return state, worker_ids, value

    with log.open("ab") as out:
        worker = subprocess.Popen(
            [
                *(sys.executable, "-m", "vib", "worker", "--queue-name", "*", "--no-reload"),
                *("--interval", "0.2", "--no-startup-delay", "--backoff-max", "2"),
                *("--worker-id", worker_id),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait("the worker's connection", db.backends, log, timeout=120)

        # 1. The connection is cut (as a restart or fail-over cuts it): the next poll fails.
        assert db.cut() >= 1
        _wait("the worker to see the outage", lambda: events("worker.database_unavailable"), log)
        _wait("the worker to reconnect", lambda: events("worker.database_available"), log)
        assert worker.poll() is None

        # 2. The database refuses connections for a while: the worker backs off 1, 2, 2 s.
        before = len(events("worker.database_unavailable"))
        db.refuse(True)
        db.cut()
        _wait(
            "three failed attempts",
            lambda: len(events("worker.database_unavailable")) >= before + 3,
            log,
        )
        db.refuse(False)
        _wait("the worker back", lambda: len(events("worker.database_available")) >= 2, log)
        assert worker.poll() is None
        retries = [e["retry_in"] for e in events("worker.database_unavailable")]
        assert retries[before : before + 3] == [1.0, 2.0, 2.0], retries

        # 3. A task enqueued afterwards is done.
        quick = enqueue("quick", 0)
        _wait("the task done", lambda: status(quick)[0] == "SUCCESSFUL", log)
        assert status(quick) == ("SUCCESSFUL", [worker_id], "done")

        # 4. A task whose connection is cut mid-way (after its effect committed) runs again
        #    as soon as the database answers, and its effect is there once.
        marker = f"cut-{uuid.uuid4().hex[:8]}"
        cut = enqueue(marker, 60)
        _wait(
            "the task waiting in PostgreSQL",
            lambda: any("pg_sleep" in (q or "") for _, q in db.backends()),
            log,
        )
        db.cut()
        _wait("the task done", lambda: status(cut)[0] == "SUCCESSFUL", log)
        assert status(cut) == ("SUCCESSFUL", [worker_id, worker_id], "already done")
        effects = "SELECT count(*) FROM operations_taskeffect WHERE key = %s"
        records = "SELECT count(*) FROM operations_destructionrecord WHERE rule = %s"
        assert db.query(effects, f"test.worker:{marker}") == [(1,)]
        assert db.query(records, marker) == [(1,)]
        (interrupted,) = events("worker.task_interrupted")
        assert interrupted["task_id"] == cut
        assert interrupted["sqlstate"] == "57P01"  # admin_shutdown: what a fast shutdown sends
        assert [e["result"] for e in events("worker.task_settled")] == ["requeued"]
        assert worker.poll() is None

        # 5. SIGTERM while the database is away (the worker backing off) stops it cleanly.
        db.refuse(True)
        db.cut()
        seen = len(events("worker.database_unavailable"))
        _wait("the next outage", lambda: len(events("worker.database_unavailable")) > seen, log)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        db.refuse(False)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    text = log.read_text()
    assert "Traceback" not in text, text[-4000:]
    assert marker not in text  # task arguments are not logged
    assert events("worker.stop")
