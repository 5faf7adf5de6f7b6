"""Load and faults: VIB keeps every acknowledged write, exactly once, through a crash and a
database restart. Results: the "Load and faults" section of ``bench/README.md``.

    .venv/bin/python bench/load_faults.py [--duration 120] [--clients 50]

What it does (PostgreSQL at 127.0.0.1:5432, trust authentication, user ``postgres``):

1. creates a fresh database ``vib_lf_<time>``, migrates it and loads the demo (``vib demo``);
   makes API tokens for three demo users (a reporter, the A&G coordinator, the integrity
   officer);
2. starts two app processes (gunicorn, 2 workers each, ports 8811 and 8812) and two task
   workers (``vib worker``), all with ``DJANGO_SETTINGS_MODULE=load_faults.settings`` (VIB's
   settings plus ``vib.operations.dbdown.DatabaseUnavailableMiddleware``). A worker that
   exits is started again after a second, as systemd's ``Restart=always`` would;
3. runs ``--clients`` client threads for ``--duration`` seconds, alternating between the two
   app processes request by request: report incidents, update them (as the coordinator), and
   write internal notes on integrity cases — each write with its own marker
   (``load_faults/clients.py``);
4. faults: at 20 % of the run it kills app process 1 with SIGKILL (the master and its
   workers: a crashed machine), at 35 % starts it again; independently, at 60 % it restarts
   PostgreSQL (``pg_ctlcluster … restart``: fast shutdown, in-flight transactions are cut
   off);
5. stops the clients, lets the workers empty the queue, requeues tasks of workers that died
   with a task in hand (what ``tasks_recover`` does after ``VIB_TASK_STALE_SECONDS``) and lets
   them finish;
6. verifies (``load_faults/verify.py``): every acknowledged write is there exactly once, no
   lost update, one notification task per incident, and each incident's notification mail
   was printed once per recipient by the workers (the console mail backend) — a task that
   ran twice would have sent it twice; and classifies every error the clients saw: only 503s
   and connection errors inside the fault windows are allowed.

Exit status 1 when any check fails. The full record (client log, process logs, summary) is
kept in ``bench/results/load_faults-<time>/``; ``--keep-db`` keeps the database.
"""

from __future__ import annotations

import argparse
import email.header
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(BENCH))

from load_faults.clients import Client, Shared  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
PORTS = [8811, 8812]
USERS = {
    "reporter": "medewerker@demo.vib.nl",
    "handler": "coordinator-ag@demo.vib.nl",
    "integrity": "integriteit@demo.vib.nl",
}
GRACE = 10.0  # seconds after a fault ends in which its errors still count as its own


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def pg_restart() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
    )


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        stamp = time.strftime("%Y%m%dT%H%M%S")
        self.db = f"vib_lf_{stamp.lower()}"
        self.out = BENCH / "results" / f"load_faults-{stamp}"
        self.out.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("VIB_", "DJANGO_"))}
        self.env.update(
            PYTHONPATH=f"{REPO / 'src'}{os.pathsep}{BENCH}",
            PYTHONUNBUFFERED="1",
            DJANGO_SETTINGS_MODULE="load_faults.settings",
            DATABASE_URL=f"{PG}/{self.db}",
            VIB_ENV="development",
            VIB_DEBUG="false",
            VIB_VAR_DIR=str(self.out / "var"),
            VIB_DB_CONN_MAX_AGE="60",  # as docs/operations.md recommends
            VIB_LOG_FORMAT="json",
            VIB_LOG_LEVEL="WARNING",
            VIB_API_RATE_USER="1000000/min",  # throttling is not under test
            LF_DBDOWN="0" if args.without_middleware else "1",
        )
        self.apps: dict[int, subprocess.Popen[bytes]] = {}
        self.workers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.worker_starts = 0
        self.supervise = threading.Event()
        self.events: dict[str, float] = {}
        self.started = 0.0

    # -- processes -------------------------------------------------------------------------------

    def vib(self, *argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "vib", *argv],
            env=self.env,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def python(self, module: str, *argv: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", module, *argv],
            env=self.env,
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(done.stdout)

    def start_app(self, port: int) -> None:
        log = open(self.out / f"app-{port}.log", "ab")  # noqa: SIM115
        self.apps[port] = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "vib.conf.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg takes master and workers
        )

    def wait_ready(self, port: int, limit: float = 300.0) -> None:
        import requests

        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"app on port {port} not ready")

    def start_worker(self, slot: int) -> None:
        log = open(self.out / f"worker-{slot}.log", "ab")  # noqa: SIM115
        self.workers[slot] = subprocess.Popen(
            [sys.executable, "-m", "vib", "worker", "--queue-name", "*", "--interval", "0.2"],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.worker_starts += 1

    def supervisor(self) -> None:
        while self.supervise.is_set():
            for slot, proc in enumerate(self.workers):
                if proc is not None and proc.poll() is not None:
                    self.note(f"worker {slot} exited ({proc.returncode})")
                    time.sleep(1.0)
                    self.start_worker(slot)
            time.sleep(0.2)

    def note(self, what: str) -> None:
        at = time.monotonic() - self.started if self.started else 0.0
        print(f"[{at:7.1f}s] {what}", flush=True)

    def stop_all(self) -> None:
        self.supervise.clear()
        for proc in [*self.apps.values(), *self.workers]:
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.apps.values(), *self.workers]:
            if proc is not None:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)

    # -- the run ---------------------------------------------------------------------------------

    def prepare(self) -> tuple[dict[str, str], list[str]]:
        import requests

        psql(f'CREATE DATABASE "{self.db}"')
        self.vib("migrate", "--noinput", "--verbosity", "0")
        self.vib("demo")
        tokens = {}
        for role, user in USERS.items():
            printed = self.vib("tokens", "create", "--user", user, "--name", "load-faults")
            tokens[role] = re.search(r"vib_\S+", printed).group(0)  # type: ignore[union-attr]
        self.start_app(PORTS[0])
        self.wait_ready(PORTS[0])
        answer = requests.get(
            f"http://127.0.0.1:{PORTS[0]}/api/v1/integriteitszaken?pageSize=200",
            headers={"Authorization": f"Bearer {tokens['integrity']}"},
            timeout=30,
        )
        answer.raise_for_status()
        cases = [case["id"] for case in answer.json()["results"]]
        return tokens, cases

    def faults(self, duration: float) -> None:
        """Two timelines, so that a slow restart of the app does not delay the database's."""

        def at(fraction: float) -> None:
            wait = self.started + fraction * duration - time.monotonic()
            if wait > 0:
                time.sleep(wait)

        def app() -> None:
            at(0.20)
            self.events["app_kill"] = time.monotonic() - self.started
            os.killpg(self.apps[PORTS[0]].pid, signal.SIGKILL)
            self.apps[PORTS[0]].wait()
            self.note(f"app on port {PORTS[0]} killed (SIGKILL, master and workers)")
            at(0.35)
            self.events["app_start"] = time.monotonic() - self.started
            self.start_app(PORTS[0])
            self.wait_ready(PORTS[0])
            self.events["app_ready"] = time.monotonic() - self.started
            self.note(f"app on port {PORTS[0]} started again and ready")

        def database() -> None:
            at(0.60)
            self.events["pg_restart_begin"] = time.monotonic() - self.started
            pg_restart()
            self.events["pg_restart_end"] = time.monotonic() - self.started
            self.note("PostgreSQL restarted")

        timelines = [threading.Thread(target=app), threading.Thread(target=database)]
        for timeline in timelines:
            timeline.start()
        for timeline in timelines:
            timeline.join()

    def drain(self, limit: float = 90.0) -> dict[str, Any]:
        """Let the workers empty the queue; requeue what dead workers left RUNNING."""
        requeued = {"requeued": 0, "failed": 0}
        deadline = time.monotonic() + limit
        quiet_since = None
        while time.monotonic() < deadline:
            counts = self.python("load_faults.tasks_admin", "count")
            if counts.get("READY", 0) == 0:
                if counts.get("RUNNING", 0) == 0:
                    return {"counts": counts, **requeued}
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 5:
                    again = self.python("load_faults.tasks_admin", "requeue")
                    self.note(f"requeued tasks of dead workers: {again}")
                    requeued = {k: requeued[k] + again[k] for k in requeued}
                    quiet_since = None
            else:
                quiet_since = None
            time.sleep(1.0)
        return {"counts": self.python("load_faults.tasks_admin", "count"), **requeued}

    def go(self) -> int:
        args = self.args
        print(f"database {self.db}; record in {self.out}", flush=True)
        tokens, cases = self.prepare()
        self.start_app(PORTS[1])
        self.wait_ready(PORTS[1])
        for slot in range(2):
            self.start_worker(slot)
        self.supervise.set()
        threading.Thread(target=self.supervisor, daemon=True).start()
        self.started = time.monotonic()
        shared = Shared(ports=PORTS, tokens=tokens, cases=cases, started=self.started)
        clients = [Client(n, shared, seed=n) for n in range(args.clients)]
        for client in clients:
            client.start()
        self.note(f"{args.clients} clients started")
        fault_thread = threading.Thread(target=self.faults, args=(args.duration,), daemon=True)
        fault_thread.start()
        time.sleep(max(0.0, self.started + args.duration - time.monotonic()))
        shared.stop.set()
        for client in clients:
            client.join(timeout=40)
        fault_thread.join(timeout=300)
        elapsed = time.monotonic() - self.started
        self.note("clients stopped")
        log = sorted((e for c in clients for e in c.log), key=lambda e: e["t"])
        log_path = self.out / "client-log.json"
        log_path.write_text(json.dumps(log))
        queue = self.drain()
        self.note(f"queue drained: {queue}")
        verdict = self.python("load_faults.verify", str(log_path))
        self.stop_all()
        mails = count_mails(sorted(self.out.glob("worker-*.log")))
        summary = summarise(log, verdict, mails, queue, self.events, elapsed, args)
        summary["worker_starts"] = self.worker_starts
        summary["database"] = self.db
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2))
        print(json.dumps(summary, indent=2))
        if not args.keep_db:
            psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        return 0 if summary["passed"] else 1


# -- the figures ----------------------------------------------------------------------------------


def count_mails(paths: list[Path]) -> Counter[str]:
    """Notification mails per incident reference, from the console mail backend's output."""
    per_reference: Counter[str] = Counter()
    pattern = re.compile(r"^Subject: (.*(?:\n[ \t].*)*)", re.MULTILINE)
    reference = re.compile(r"\b[A-Z]{2,4}-[A-Z0-9]{5}-[A-Z0-9]{5}\b")
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in pattern.finditer(text):
            subject = str(email.header.make_header(email.header.decode_header(match.group(1))))
            found = reference.search(subject)
            if found:
                per_reference[found.group(0)] += 1
    return per_reference


def summarise(
    log: list[dict[str, Any]],
    verdict: dict[str, Any],
    mails: Counter[str],
    queue: dict[str, Any],
    events: dict[str, float],
    elapsed: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    kill, back = events.get("app_kill", 1e9), events.get("app_ready", 1e9) + 1.0
    pg_begin, pg_end = events.get("pg_restart_begin", 1e9), events.get("pg_restart_end", 1e9)

    def in_window(entry: dict[str, Any]) -> str:
        start, end = entry["t"], entry.get("t_end", entry["t"])
        in_pg = start <= pg_end + GRACE and end >= pg_begin
        if in_pg and entry.get("status") == 503:
            return "pg_restart"
        if entry["port"] == PORTS[0] and start <= back and end >= kill:
            return "app_kill"
        return "pg_restart" if in_pg else ""

    errors: Counter[str] = Counter()
    unexpected: list[dict[str, Any]] = []
    retry_after_missing = 0
    for entry in log:
        status = entry.get("status")
        if status is not None and 200 <= status < 300:
            continue
        kind = entry.get("error") or f"HTTP {status}"
        window = in_window(entry)
        errors[f"{kind} ({window or 'outside any fault window'})"] += 1
        allowed = window and (status is None or status == 503)
        if status == 503 and not entry.get("retry_after"):
            retry_after_missing += 1
        if not allowed:
            unexpected.append(entry)

    # Mails: every acknowledged incident's notification once per recipient, never more.
    recipients: dict[str, int] = verdict.pop("recipients")
    mails_missing = sum(1 for ref, n in recipients.items() if mails.get(ref, 0) < n)
    mails_twice = sum(1 for ref, n in recipients.items() if mails.get(ref, 0) > n)
    acked = sum(1 for e in log if 200 <= e.get("status", 0) < 300)
    steady = [e for e in log if e["t"] < events.get("app_kill", elapsed)]
    steady_acked = sum(1 for e in steady if 200 <= e.get("status", 0) < 300)
    latencies = sorted(
        e["t_end"] - e["t"] for e in log if 200 <= e.get("status", 0) < 300 and "t_end" in e
    )
    tasks_by_rows = verdict["tasks"]["incidents_by_task_rows"]
    summary: dict[str, Any] = {
        "clients": args.clients,
        "duration_s": round(elapsed, 1),
        "events_s": {k: round(v, 1) for k, v in events.items()},
        "requests": len(log),
        "acknowledged_writes": acked,
        "throughput_acked_per_s": round(acked / elapsed, 1),
        "throughput_before_faults_per_s": round(
            steady_acked / max(events.get("app_kill", 1.0), 1.0), 1
        ),
        "latency_ms": {
            "p50": round(1000 * latencies[len(latencies) // 2]) if latencies else None,
            "p99": round(1000 * latencies[int(len(latencies) * 0.99)]) if latencies else None,
        },
        "verify": verdict,
        "errors": dict(errors.most_common()),
        "unexpected_errors": len(unexpected),
        "unexpected_sample": unexpected[:10],
        "retry_after_missing_on_503": retry_after_missing,
        "queue": queue,
        "mails": {
            "incidents": len(recipients),
            "sent": sum(mails.values()),
            "incidents_missing_mail": mails_missing,
            "incidents_mailed_twice": mails_twice,
        },
    }
    lost = verdict["incidents"]["lost"] + verdict["messages"]["lost"] + verdict["updates"]["lost"]
    duplicated = verdict["incidents"]["duplicated"] + verdict["messages"]["duplicated"]
    summary["lost"] = lost
    summary["duplicated"] = duplicated
    summary["faults_done"] = all(
        name in events for name in ("app_kill", "app_ready", "pg_restart_end")
    )
    summary["passed"] = (
        summary["faults_done"]
        and lost == 0
        and duplicated == 0
        and not unexpected
        and retry_after_missing == 0
        and mails_twice == 0
        and set(tasks_by_rows) <= {"1"}
    )
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--without-middleware",
        action="store_true",
        help="leave DatabaseUnavailableMiddleware out (to see the 500s it prevents)",
    )
    run = Run(parser.parse_args())
    try:
        return run.go()
    finally:
        run.stop_all()


if __name__ == "__main__":
    sys.exit(main())
