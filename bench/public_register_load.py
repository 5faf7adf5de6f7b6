"""Load benchmark of the public register under anonymous clients (issue #15 item 13).

    .venv/bin/python bench/public_register_load.py [--people 500] [--clients 50]
        [--seconds 20] [--workers 4] [--threads 4] [--pg postgres://postgres@127.0.0.1:5432]

1. Creates a throw-away PostgreSQL database, migrates it and builds the register of
   ``disclosures_bench.build``: one municipality with ``--people`` published declarants and
   four registered side activities each (income on the paid ones), plus noise.
2. Starts gunicorn (``--workers`` processes with ``--threads`` threads each, ``VIB_DEBUG``
   off, the Redis cache of ``VIB_REDIS_URL`` — default ``redis://127.0.0.1:6379/0`` — as in
   production) on 127.0.0.1:8131.
3. ``--clients`` anonymous clients (asyncio, one connection per request, no think time:
   each sends its next request as soon as the last one is answered) fetch the public
   register for ``--seconds``: 70 % the page, 10 % each of the two CSV files and the JSON
   document. Before that, one request of each warms the cache, as a first visitor would.
   Reported: requests per second, and the median, 95th and 99th percentile latency per kind
   and overall; a one-request cold build is timed as well.

Target: p95 <= 100 ms over all requests. Exit status 1 when it is missed or any request
failed. Only loopback addresses are used; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

from benchdb import throwaway_postgres  # noqa: E402

HOST, PORT = "127.0.0.1", 8131
TARGET_MS = 100.0
MIX = [("page", 70), ("activities.csv", 10), ("income.csv", 10), ("register.json", 10)]


def _paths(code: str) -> dict[str, str]:
    base = f"/nevenwerkzaamheden/openbaar/{code}"
    return {
        "page": base,
        "activities.csv": f"{base}/nevenfuncties.csv",
        "income.csv": f"{base}/inkomsten.csv",
        "register.json": f"{base}/register.json",
    }


async def _get(path: str) -> tuple[int, int]:
    reader, writer = await asyncio.open_connection(HOST, PORT)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nConnection: close\r\n"
            "Accept-Language: nl\r\n\r\n".encode()
        )
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, len(data)


async def _client(
    paths: dict[str, str], until: float, seed: int, out: dict[str, list[float]], errors: list[str]
) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, _weight in MIX]
    weights = [weight for _kind, weight in MIX]
    while time.perf_counter() < until:
        kind = rng.choices(kinds, weights)[0]
        start = time.perf_counter()
        try:
            status, _size = await _get(paths[kind])
        except OSError as exc:
            errors.append(f"{kind}: {exc}")
            continue
        if status != 200:
            errors.append(f"{kind}: HTTP {status}")
            continue
        out[kind].append((time.perf_counter() - start) * 1000)


async def _load(paths: dict[str, str], clients: int, seconds: float) -> tuple[dict, list, float]:
    out: dict[str, list[float]] = {kind: [] for kind, _w in MIX}
    errors: list[str] = []
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(*(_client(paths, until, i, out, errors) for i in range(clients)))
    return out, errors, time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _serve(env: dict[str, str], workers: int, threads: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "vib.conf.wsgi:application",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"{HOST}:{PORT}",
            "--backlog",
            "512",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            status, _ = asyncio.run(_get("/healthz"))
            if status:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            os.killpg(server.pid, 15)
            raise RuntimeError("the app server did not start")
        time.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis", default=os.environ.get("VIB_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    with throwaway_postgres(args.pg, "vib_bench_public") as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("VIB_ENV", "test")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vib.conf.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        import disclosures_bench

        start = time.perf_counter()
        organisation = disclosures_bench.build(args.people, 4, 2000)
        print(f"built {args.people} declarants in {time.perf_counter() - start:.1f} s")
        connections.close_all()
        paths = _paths(organisation.code)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "VIB_DEBUG": "false",
            "VIB_REDIS_URL": args.redis,
            "VIB_LOG_LEVEL": "WARNING",
        }
        server = _serve(env, args.workers, args.threads)
        try:
            cold = {}
            for kind, path in paths.items():  # the first visitor builds each once
                started = time.perf_counter()
                status, size = asyncio.run(_get(path))
                cold[kind] = ((time.perf_counter() - started) * 1000, status, size)
            out, errors, elapsed = asyncio.run(_load(paths, args.clients, args.seconds))
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)

    total = [v for values in out.values() for v in values]
    print(
        f"\n{args.clients} anonymous clients, {args.seconds:.0f} s, gunicorn {args.workers} "
        f"workers x {args.threads} threads, {len(total)} requests, "
        f"{len(total) / elapsed:.0f} req/s, {len(errors)} errors"
    )
    print("| what | bytes | first (cold) | requests | median | p95 | p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for kind, values in out.items():
        ms, _status, size = cold[kind]
        print(
            f"| {kind} | {size:,} | {ms:.0f} ms | {len(values)} | "
            f"{statistics.median(values) if values else float('nan'):.1f} ms | "
            f"{_pct(values, 0.95):.1f} ms | {_pct(values, 0.99):.1f} ms |"
        )
    p95 = _pct(total, 0.95)
    print(
        f"| all | | | {len(total)} | {statistics.median(total):.1f} ms | {p95:.1f} ms | "
        f"{_pct(total, 0.99):.1f} ms |"
    )
    for error in errors[:5]:
        print("error:", error)
    ok = p95 <= TARGET_MS and not errors
    print(f"\ntarget p95 <= {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'} ({p95:.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
