"""Lighthouse, mobile profile, on the pages a visitor meets first (issue 14, ADR 100).

Serves the demo two ways and runs Lighthouse (npm `lighthouse`, Debian's Chromium, its default
mobile profile: Moto G-class screen, simulated slow 4G and 4x CPU slowdown) on the log-in page,
the support desk, the public register and the anonymous intake:

- ``run``: as `make run` serves it (runserver, VIB_ENV=development, DEBUG on);
- ``production``: as production does (gunicorn, VIB_ENV=production, DEBUG off, collectstatic
  with hashed names and gzip/brotli copies, WhiteNoise serving them).

Needs the demo database of `make run` (var/vib.sqlite3, or DATABASE_URL) and Redis for the
production run. Install Lighthouse once:  (cd bench/lighthouse && npm ci)

    .venv/bin/python bench/lighthouse.py [--runs 3] [--mode run|production|both]

Prints one line per page and mode: the median performance score, largest contentful paint
and total transfer size over the runs; writes the reports to bench/results/lighthouse/.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
OUT = ROOT / "bench" / "results" / "lighthouse"
VIB = ROOT / ".venv" / "bin" / "vib"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CHROME = Path("/usr/bin/chromium")  # the desktop browser: the tests use its headless shell
PAGES = {
    "log-in page": "/inloggen",
    "support desk": "/steunpunt/",
    "public register": "/nevenwerkzaamheden/openbaar",
    "anonymous intake": "/integriteit/melden",
}
PORTS = {"run": 8146, "production": 8147}


def wait_for(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"lighthouse: nothing answers on port {port}")


def serve(mode: str, database: str, workdir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database}
    port = PORTS[mode]
    if mode == "run":
        env["VIB_ENV"] = "development"
        command = [str(VIB), "runserver", "--noreload", f"127.0.0.1:{port}"]
    else:
        env.update(
            VIB_ENV="production",
            VIB_SECRET_KEY="lighthouse-bench-" + "x" * 50,
            VIB_ALLOWED_HOSTS="127.0.0.1",
            VIB_REDIS_URL=os.environ.get("VIB_REDIS_URL", "redis://127.0.0.1:6379/15"),
            VIB_ENCRYPTION_KEYS="bGlnaHRob3VzZS1iZW5jaC1rZXktMzItYnl0ZXMhISE=",
            VIB_AUDIT_KEYS="bench:" + "lighthouse-audit-key-" * 3,
            VIB_VAR_DIR=str(workdir),
            VIB_SSL_REDIRECT="0",
            VIB_HSTS_SECONDS="0",
        )
        subprocess.run(
            [str(VIB), "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True
        )
        command = [
            str(GUNICORN), "vib.conf.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
        ]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    wait_for(port)
    return server


def lighthouse(url: str, report: Path) -> dict[str, float]:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless --no-sandbox",
        ],
        env={**os.environ, "CHROME_PATH": str(CHROME)},
        check=True,
    )
    data = json.loads(report.read_text())
    audits = data["audits"]
    return {
        "score": round(100 * data["categories"]["performance"]["score"]),
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "kb": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mode", choices=["run", "production", "both"], default="both")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("lighthouse: install it first: (cd bench/lighthouse && npm ci)", file=sys.stderr)
        return 2
    if not CHROME.exists():
        subprocess.run([str(ROOT / "scripts" / "apt-install"), "chromium"], check=True)
    database = os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'vib.sqlite3'}")
    OUT.mkdir(parents=True, exist_ok=True)
    modes = ["run", "production"] if args.mode == "both" else [args.mode]
    failed = False
    for mode in modes:
        with tempfile.TemporaryDirectory(prefix="vib-lighthouse-") as workdir:
            server = serve(mode, database, Path(workdir))
            try:
                # A running server is warm: the first request of a fresh process (imports,
                # translations, the first database connection) is not what a visitor waits for.
                for path in PAGES.values():
                    for _ in range(3):
                        urllib.request.urlopen(f"http://127.0.0.1:{PORTS[mode]}{path}").read()
                for name, path in PAGES.items():
                    url = f"http://127.0.0.1:{PORTS[mode]}{path}"
                    stem = f"{mode}-{path.strip('/').replace('/', '-')}"
                    runs = [lighthouse(url, OUT / f"{stem}-{i}.json") for i in range(args.runs)]
                    score = statistics.median(r["score"] for r in runs)
                    lcp = statistics.median(r["lcp"] for r in runs)
                    kb = statistics.median(r["kb"] for r in runs)
                    ok = score >= 95 and lcp <= 2.0
                    failed |= not ok
                    print(
                        f"{mode:10} {name:17} performance {score:3.0f}  LCP {lcp:4.1f} s  "
                        f"{kb:5.0f} KB  {'ok' if ok else 'BELOW TARGET'}",
                        flush=True,
                    )
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
