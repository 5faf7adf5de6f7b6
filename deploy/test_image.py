"""`make test-image`: VIB's image, built here, does its jobs with nothing but containers.

    .venv/bin/python deploy/test_image.py [--image localhost/vib:latest] [--port 8190]

PostgreSQL and Redis run from localhost/vib-services:trixie (Debian's packages, like the
image), an SMTP sink runs in this process; then, all from the VIB image:

1. the image is at most 400 MB and runs as a non-root user;
2. ``migrate`` and ``demo`` against PostgreSQL;
3. ``web`` answers ``/readyz`` (database, migrations, cache) with 200 within 10 s of
   ``podman run``, with a read-only root file system, and serves the log-in page;
4. a ``worker`` container sends an incident notification mail to the SMTP sink.

Four ports from ``--port`` on (default 8190-8193: web, PostgreSQL, Redis, SMTP) on 127.0.0.1
(host network, see deploy/containers.conf). Every container is removed at the end; exit
status 1 when a check fails. Takes about two minutes once the image exists (1 min 42 s
here, 2026-12-06; bench/README.md, "Container image").
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("CONTAINERS_CONF", str(ROOT / "deploy" / "containers.conf"))
PREFIX = "vib-test-image"
SERVICES = "localhost/vib-services:trixie"
PG_BIN = "/usr/lib/postgresql/17/bin"
PG_SOCKET = "/tmp"  # inside the throw-away PostgreSQL container
MAX_BYTES = 400 * 1000 * 1000
START_LIMIT = 10.0  # seconds from `podman run … web` to the first 200 of /readyz
RECEIVED: list[bytes] = []


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message and keep it (no relaying, no authentication)."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 sink")
            elif verb == b"DATA":
                self.reply("354 end with .")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                RECEIVED.append(body)
                self.reply("250 kept")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=check)


def request(
    port: int, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """One HTTP request to the web container (always http://127.0.0.1)."""
    url = f"http://127.0.0.1:{port}{path}"
    req = urllib.request.Request(url, data=data, headers={"Host": "localhost", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class ImageTest:
    def __init__(self, image: str, port: int) -> None:
        self.image = image
        self.web, self.pg, self.redis, self.smtp = port, port + 1, port + 2, port + 3
        self.failures: list[str] = []
        # Named after the port, so that two runs on other ports do not remove each other's.
        self.names = {n: f"{PREFIX}-{port}-{n}" for n in ("pg", "redis", "web", "worker")}
        env = {
            "VIB_ENV": "development",
            "VIB_DEBUG": "false",
            "VIB_DEMO": "true",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg}/vib",
            "VIB_REDIS_URL": f"redis://127.0.0.1:{self.redis}/0",
            "VIB_EMAIL_HOST": "127.0.0.1",
            "VIB_EMAIL_PORT": str(self.smtp),
            "VIB_PORT": str(self.web),
            "VIB_LOG_FORMAT": "plain",
        }
        env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
        # Read-only root file system, a tmpfs for /tmp: as in the compose stack and on Haven.
        self.opts = ["--no-healthcheck", "--read-only", "--tmpfs", "/tmp", *env_args]

    def check(self, ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)

    def vib(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A one-off container of the image (`migrate`, `demo`, any `vib` command)."""
        return podman("run", "--rm", *self.opts, self.image, *args, check=False)

    def image_facts(self) -> None:
        size = int(podman("image", "inspect", self.image, "--format", "{{.Size}}").stdout)
        self.check(size <= MAX_BYTES, f"image size {size / 1e6:.0f} MB ≤ 400 MB")
        user = podman("image", "inspect", self.image, "--format", "{{.Config.User}}").stdout
        user = user.strip()
        self.check(user not in ("", "0", "root") and not user.startswith("0:"), f"runs as {user}")

    def services(self) -> None:
        """PostgreSQL (trust, a fresh cluster on the container's /tmp) and Redis."""
        pg = self.names["pg"]
        initdb = f"{PG_BIN}/initdb -D /tmp/pg -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust"
        serve = f"{PG_BIN}/postgres -D /tmp/pg -p {self.pg} -k /tmp -c listen_addresses=127.0.0.1"
        podman(
            "run",
            "-d",
            "--name",
            pg,
            "--user",
            "postgres",
            SERVICES,
            "sh",
            "-c",
            f"{initdb} >/dev/null && exec {serve}",
        )
        podman(
            "run",
            "-d",
            "--name",
            self.names["redis"],
            "--user",
            "redis",
            SERVICES,
            "redis-server",
            "--port",
            str(self.redis),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        )
        for _ in range(60):
            isready = ("exec", pg, "pg_isready", "-h", PG_SOCKET, "-p", str(self.pg))
            if podman(*isready, check=False).returncode == 0:
                break
            time.sleep(0.5)
        podman("exec", pg, "psql", "-h", PG_SOCKET, "-p", str(self.pg), "-c", "CREATE DATABASE vib")

    def jobs(self) -> None:
        for job in (("migrate", "--verbosity", "0"), ("demo",)):
            started = time.monotonic()
            done = self.vib(*job)
            took = time.monotonic() - started
            self.check(done.returncode == 0, f"{job[0]} ({took:.0f} s) {done.stderr[-400:]}")

    def web_ready(self, image: str) -> float | None:
        """Seconds from `podman run … web` to the first 200 of /readyz (None: not within 30 s)."""
        started = time.monotonic()
        podman("run", "-d", *self.opts, "--name", self.names["web"], image, "web")
        while time.monotonic() - started < 3 * START_LIMIT:
            try:
                if request(self.web, "/readyz")[0] == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        return None

    def start_web(self) -> None:
        """`podman run … web` until the first 200 of /readyz: the start an operator waits for."""
        answered = self.web_ready(self.image)
        shown = "never" if answered is None else f"{answered:.1f} s"
        self.check(
            answered is not None and answered <= START_LIMIT,
            f"web: first 200 of /readyz {shown} after podman run (≤ {START_LIMIT:.0f} s)",
        )
        status, body = request(self.web, "/inloggen")
        self.check(status == 200 and "<form" in body, f"log-in page: {status}")
        # The probes as the kubelet sends them: the pod's address as the host, which
        # VIB_ALLOWED_HOSTS does not list (ADR 0152); and the image's own HEALTHCHECK.
        for probe in ("/healthz", "/readyz"):
            status, body = request(self.web, probe, headers={"Host": "10.0.0.7:8000"})
            self.check(status == 200, f"{probe} with the pod's address as host: {status}")
        # Its command run in the container (the containers here run with --no-healthcheck:
        # podman's timer for it needs systemd, which these hosts lack).
        configured = podman(
            "image", "inspect", self.image, "--format", "{{json .Config.Healthcheck}}"
        )
        kind, *command = json.loads(configured.stdout)["Test"]
        checked = podman("exec", self.names["web"], *command, check=False)
        self.check(
            kind == "CMD" and checked.returncode == 0,
            f"HEALTHCHECK ({kind}): exit {checked.returncode} {checked.stderr[-300:]}",
        )

    def worker_mail(self) -> None:
        """A new incident through the API: web stores it and queues the notification, the
        worker container sends it to the coordinators through the SMTP sink."""
        podman("run", "-d", *self.opts, "--name", self.names["worker"], self.image, "worker")
        printed = self.vib(
            "tokens",
            "create",
            "--scope",
            "incidents:write",
            "--name",
            "test-image",
            "--user",
            "medewerker@demo.vib.nl",
        ).stdout
        token = next((w for w in printed.split() if w.startswith("vib_")), "")
        incident = {
            "datumTijd": "2026-05-01T10:00:00+02:00",
            "soorten": ["verbaal"],
            "kanaal": "telefoon",
            "plaats": "balie_kantoor",
            "ernst": "ernstig",
            "locatie": "test-image",
            "omschrijving": "test-image",
        }
        created, _ = request(
            self.web,
            "/api/v1/incidenten",
            data=json.dumps(incident).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        self.check(created == 201, f"incident reported through the API: {created}")
        deadline = time.monotonic() + 60
        while not RECEIVED and time.monotonic() < deadline:
            time.sleep(0.5)
        self.check(bool(RECEIVED), f"worker sent {len(RECEIVED)} mail(s) to the SMTP sink")

    def run(self) -> int:
        sink = socketserver.ThreadingTCPServer(("127.0.0.1", self.smtp), SmtpSink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        for name in self.names.values():
            podman("rm", "-f", name, check=False)
        try:
            self.image_facts()
            self.services()
            self.jobs()
            self.start_web()
            self.worker_mail()
            if self.failures:
                for name in (self.names["web"], self.names["worker"]):
                    logs = podman("logs", "--tail", "30", name, check=False).stderr
                    print(f"--- {name}\n{logs}")
        finally:
            for name in self.names.values():
                podman("rm", "-f", "-t", "5", name, check=False)
            sink.shutdown()
        failed = len(self.failures)
        print("test-image: " + ("all checks passed" if not failed else f"{failed} failed"))
        return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", default="localhost/vib:latest")
    parser.add_argument("--port", type=int, default=8190, help="first of four ports (8190)")
    args = parser.parse_args()
    # Stopped from outside: still remove the containers (the finally in run()).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    return ImageTest(args.image, args.port).run()


if __name__ == "__main__":
    sys.exit(main())
