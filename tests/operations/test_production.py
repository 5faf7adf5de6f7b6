"""The production set-up, for real: gunicorn with two workers, and schedulers racing.

Both run as separate processes against a scratch copy of the (migrated) test database
(``scratch_database`` in tests/conftest.py): a SQLite file copied with the online backup API,
or a PostgreSQL database made from the test database as a template.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent
# Marked so that pytest-django sets up the test database this module copies.
pytestmark = pytest.mark.django_db


def _env(database_url: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIB_", "DJANGO_"))}
    env.update(
        VIB_ENV="test",
        DATABASE_URL=database_url,
        VIB_VAR_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="vib.conf.settings",
        VIB_LOG_LEVEL="WARNING",
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_gunicorn_with_two_workers_serves_readyz_and_the_login_page(scratch_database, tmp_path):
    database_url, _ = scratch_database
    port = _free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "vib.conf.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--timeout=30",
        ],
        env=_env(database_url, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(f"{base}/readyz")
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, body
        assert '"migrations": "ok"' in body
        status, login = _get(f"{base}/inloggen")
        assert status == 200
        assert 'name="password"' in login
        assert _get(f"{base}/healthz")[0] == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert output.count("Booting worker with pid") >= 2, output


def test_schedulers_racing_enqueue_a_due_job_once(scratch_database, tmp_path):
    database_url, query = scratch_database
    env = _env(database_url, tmp_path)
    schedulers = [
        subprocess.Popen(
            [sys.executable, "-m", "vib", "scheduler", "--once"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in schedulers]
    assert all(process.returncode == 0 for process in schedulers), outputs
    enqueued = sum(out.count("enqueued operations.tasks_recover") for out, _ in outputs)
    assert enqueued == 1, outputs
    rows = dict(query("SELECT name, runs FROM operations_scheduledjob"))
    # Other modules declare jobs too; the operations' own are what this test is about.
    assert rows["operations.retention"] == 0
    assert rows["operations.tasks_recover"] == 1
