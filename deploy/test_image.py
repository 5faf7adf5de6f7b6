"""`make test-image`: VIB's image, built here, does its jobs with nothing but containers.

    .venv/bin/python deploy/test_image.py [--image localhost/vib:latest]

PostgreSQL and Redis run from localhost/vib-services:trixie (Debian's packages, like the
image), an SMTP sink runs in this process; then, all from the VIB image:

1. the image is at most 400 MB and runs as a non-root user;
2. ``migrate`` and ``demo`` against PostgreSQL;
3. ``web`` answers ``/healthz`` within 10 s of ``podman run``, with a read-only root file
   system, and serves the log-in page and ``/readyz`` (database, migrations, cache);
4. a ``worker`` container sends an incident notification mail to the SMTP sink.

Ports 8190–8193 on 127.0.0.1 (host network, see deploy/containers.conf). Every container is
removed at the end; exit status 1 when a check fails. Takes about a minute once the image exists.
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
WEB, PG, REDIS, SMTP = 8190, 8191, 8192, 8193
PREFIX = "vib-test-image"
SERVICES = "localhost/vib-services:trixie"
MAX_BYTES = 400 * 1000 * 1000
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


def get(path: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{WEB}{path}", headers={"Host": "localhost"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", default="localhost/vib:latest")
    image = parser.parse_args().image
    failures: list[str] = []
    # Stopped from outside: still remove the containers (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    def check(ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            failures.append(what)

    env = {
        "VIB_ENV": "development",
        "VIB_DEBUG": "false",
        "VIB_DEMO": "true",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG}/vib",
        "VIB_REDIS_URL": f"redis://127.0.0.1:{REDIS}/0",
        "VIB_EMAIL_HOST": "127.0.0.1",
        "VIB_EMAIL_PORT": str(SMTP),
        "VIB_PORT": str(WEB),
        "VIB_LOG_FORMAT": "plain",
    }
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    run = ["run", "--rm", "--no-healthcheck", "--read-only", "--tmpfs", "/tmp", *env_args]

    sink = socketserver.ThreadingTCPServer(("127.0.0.1", SMTP), SmtpSink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    names = [f"{PREFIX}-{n}" for n in ("pg", "redis", "web", "worker")]
    for name in names:
        podman("rm", "-f", name, check=False)
    try:
        size = int(podman("image", "inspect", image, "--format", "{{.Size}}").stdout)
        check(size <= MAX_BYTES, f"image size {size / 1e6:.0f} MB ≤ 400 MB")
        user = podman("image", "inspect", image, "--format", "{{.Config.User}}").stdout.strip()
        check(user not in ("", "0", "root") and not user.startswith("0:"), f"runs as {user}")

        pg_bin = "/usr/lib/postgresql/17/bin"
        podman(
            "run",
            "-d",
            "--name",
            names[0],
            "--user",
            "postgres",
            SERVICES,
            "sh",
            "-c",
            f"{pg_bin}/initdb -D /tmp/pg -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null && exec "
            f"{pg_bin}/postgres -D /tmp/pg -p {PG} -k /tmp -c listen_addresses=127.0.0.1",
        )
        podman(
            "run",
            "-d",
            "--name",
            names[1],
            "--user",
            "redis",
            SERVICES,
            "redis-server",
            "--port",
            str(REDIS),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        )
        for _ in range(60):
            ready = podman("exec", names[0], "pg_isready", "-h", "/tmp", "-p", str(PG), check=False)
            if ready.returncode == 0:
                break
            time.sleep(0.5)
        podman("exec", names[0], "psql", "-h", "/tmp", "-p", str(PG), "-c", "CREATE DATABASE vib")

        started = time.monotonic()
        migrate = podman(*run, image, "migrate", "--verbosity", "0", check=False)
        check(
            migrate.returncode == 0,
            f"migrate ({time.monotonic() - started:.0f} s) {migrate.stderr[-400:]}",
        )
        started = time.monotonic()
        demo = podman(*run, image, "demo", check=False)
        check(
            demo.returncode == 0, f"demo ({time.monotonic() - started:.0f} s) {demo.stderr[-400:]}"
        )

        started = time.monotonic()
        podman(*run[:1], "-d", *run[2:], "--name", names[2], image, "web")
        answered = None
        while time.monotonic() - started < 30:
            try:
                if get("/healthz")[0] == 200:
                    answered = time.monotonic() - started
                    break
            except OSError:
                pass
            time.sleep(0.1)
        check(
            answered is not None and answered <= 10,
            f"web answers /healthz after {answered} s (≤ 10 s)",
        )
        status, body = get("/inloggen")
        check(status == 200 and "<form" in body, f"log-in page: {status}")
        status, body = get("/readyz")
        check(status == 200, f"/readyz: {status} {body[:200]}")

        podman(*run[:1], "-d", *run[2:], "--name", names[3], image, "worker")
        # A new incident through the API: web stores it and queues the notification, the
        # worker container sends it to the coordinators through the SMTP sink.
        printed = podman(
            *run,
            image,
            "tokens",
            "create",
            "--scope",
            "incidents:write",
            "--user",
            "medewerker@demo.vib.nl",
            "--name",
            "test-image",
            check=False,
        ).stdout
        token = next((w for w in printed.split() if w.startswith("vib_")), "")
        request = urllib.request.Request(
            f"http://127.0.0.1:{WEB}/api/v1/incidenten",
            data=json.dumps(
                {
                    "datumTijd": "2026-05-01T10:00:00+02:00",
                    "soorten": ["verbaal"],
                    "kanaal": "telefoon",
                    "plaats": "balie_kantoor",
                    "ernst": "ernstig",
                    "locatie": "test-image",
                    "omschrijving": "test-image",
                }
            ).encode(),
            headers={
                "Host": "localhost",
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                created = response.status
        except urllib.error.HTTPError as error:
            created = error.code
        check(created == 201, f"incident reported through the API: {created}")
        deadline = time.monotonic() + 60
        while not RECEIVED and time.monotonic() < deadline:
            time.sleep(0.5)
        check(bool(RECEIVED), f"worker sent {len(RECEIVED)} mail(s) to the SMTP sink")
        if failures:
            for name in names[2:]:
                print(f"--- {name}\n" + podman("logs", "--tail", "30", name, check=False).stderr)
    finally:
        for name in names:
            podman("rm", "-f", "-t", "5", name, check=False)
        sink.shutdown()
    print("test-image: " + ("all checks passed" if not failures else f"{len(failures)} failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
