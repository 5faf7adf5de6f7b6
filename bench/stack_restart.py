"""The single-host stack keeps every acknowledged write through ``podman restart`` of an app
container. Results: the "Container stack" section of ``bench/README.md``.

    make stack && .venv/bin/python bench/stack_restart.py [--duration 40] [--clients 4]

Against the running stack of ``deploy/compose.yaml`` (``make stack``; PostgreSQL, Redis, two
app containers behind Caddy on https://localhost:8443):

1. makes an API token for the demo reporter inside the ``web1`` container;
2. runs ``--clients`` threads for ``--duration`` seconds that report incidents through the
   proxy, each with its own marker (``locatie = "SR-<marker>"``), and log every answer;
3. at 25 % of the run restarts ``web1`` with ``podman restart`` (SIGTERM: gunicorn finishes
   the requests in hand), at 60 % ``web2``;
4. counts, inside ``web1``, how often each marker is in the database: every acknowledged
   (2xx) write must be there exactly once, and no unacknowledged write may be there twice.

Errors the clients saw are listed; with two app containers and the proxy retrying on the
other, none are expected. Exit status 1 when a write was lost or doubled.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("CONTAINERS_CONF", str(ROOT / "deploy" / "containers.conf"))
BASE = f"https://localhost:{os.environ.get('VIB_HTTPS_PORT', '8443')}/api/v1"
REPORTER = "medewerker@demo.vib.nl"
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # Caddy's own CA


def container(service: str) -> str:
    return f"vib_{service}_1"


def vib(*args: str) -> str:
    done = subprocess.run(
        ["podman", "exec", container("web1"), "vib", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def client(token: str, until: float, log: list[dict[str, Any]], lock: threading.Lock) -> None:
    session = requests.Session()
    session.verify = False
    while time.monotonic() < until:
        marker = uuid.uuid4().hex
        body = {
            "datumTijd": "2026-05-01T10:00:00+02:00",
            "soorten": ["verbaal"],
            "kanaal": "telefoon",
            "plaats": "balie_kantoor",
            "ernst": "ernstig",
            "locatie": f"SR-{marker}",
            "omschrijving": f"SR {marker}",
        }
        entry: dict[str, Any] = {"marker": marker, "t": time.monotonic()}
        try:
            answer = session.post(
                f"{BASE}/incidenten",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=(3, 30),
                verify=False,  # per request: REQUESTS_CA_BUNDLE beats session.verify
            )
            entry["status"] = answer.status_code
        except requests.RequestException as exc:
            entry["error"] = type(exc).__name__
        with lock:
            log.append(entry)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=40.0)
    parser.add_argument("--clients", type=int, default=4)
    options = parser.parse_args()

    printed = vib(
        "tokens",
        "create",
        "--scope",
        "incidents:write",
        "--user",
        REPORTER,
        "--name",
        f"restart-{uuid.uuid4().hex[:6]}",
    )
    token = re.search(r"vib_\S+", printed).group(0)  # type: ignore[union-attr]
    log: list[dict[str, Any]] = []
    lock = threading.Lock()
    started = time.monotonic()
    until = started + options.duration
    threads = [
        threading.Thread(target=client, args=(token, until, log, lock))
        for _ in range(options.clients)
    ]
    for thread in threads:
        thread.start()
    restarts = []
    for share, service in ((0.25, "web1"), (0.60, "web2")):
        time.sleep(max(0.0, started + share * options.duration - time.monotonic()))
        t0 = time.monotonic() - started
        subprocess.run(["podman", "restart", container(service)], check=True, capture_output=True)
        restarts.append(
            {"service": service, "from": round(t0, 1), "to": round(time.monotonic() - started, 1)}
        )
    for thread in threads:
        thread.join()

    acknowledged = {e["marker"] for e in log if 200 <= e.get("status", 0) < 300}
    others = {e["marker"] for e in log} - acknowledged
    counts = json.loads(  # the last line: `vib shell` may print a line of its own first
        vib(
            "shell",
            "-c",
            # a sealed column: no SQL search, the values are opened here
            "import json, collections; from vib.incidents.models import Incident; "
            "opened = (v.open(o, i) for i, o, v in Incident.objects"
            ".values_list('id', 'organisation_id', 'location') if v); "
            "print(json.dumps(collections.Counter(t[3:] for t in opened if t.startswith('SR-'))))",
        )
        .strip()
        .splitlines()[-1]
    )
    lost = sorted(m for m in acknowledged if counts.get(m, 0) != 1)
    doubled = sorted(m for m in others if counts.get(m, 0) > 1)
    errors: dict[str, int] = {}
    for entry in log:
        if not 200 <= entry.get("status", 0) < 300:
            key = entry.get("error") or str(entry["status"])
            errors[key] = errors.get(key, 0) + 1
    summary = {
        "writes_tried": len(log),
        "acknowledged": len(acknowledged),
        "acknowledged_not_exactly_once": len(lost),
        "unacknowledged_doubled": len(doubled),
        "unacknowledged_but_stored": sum(1 for m in others if counts.get(m, 0) == 1),
        "errors_seen": errors,
        "restarts_seconds": restarts,
        "writes_per_second": round(len(log) / options.duration, 1),
    }
    print(json.dumps(summary, indent=1))
    return 1 if lost or doubled else 0


if __name__ == "__main__":
    sys.exit(main())
