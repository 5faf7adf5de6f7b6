"""Load benchmark of the public register under anonymous clients (issue #15 item 13).

    .venv/bin/python bench/public_register_load.py [--people 500] [--clients 50]
        [--seconds 20] [--workers CORES] [--threads 16] [--pg postgres://postgres@127.0.0.1:5432]
        [--port 8131] [--db-prefix vib_bench_public] [--wrk] [--no-gzip] [--close]

1. Creates a throw-away PostgreSQL database, migrates it and builds the register of
   ``disclosures_bench.build``: one municipality with ``--people`` published declarants and
   four registered side activities each (income on the paid ones), plus noise.
2. Starts gunicorn (``--workers`` processes with ``--threads`` threads each, ``VIB_DEBUG``
   off, the Redis cache of ``VIB_REDIS_URL`` — default ``redis://127.0.0.1:6379/0`` — as in
   production) on 127.0.0.1:``--port``.
3. ``--clients`` anonymous clients without think time (each sends its next request as soon
   as the last one is answered, and reads every answer to its last byte) fetch the public
   register for ``--seconds``: 70 % the first page, 10 % each of the two CSV files and the
   JSON document. Like browsers they send ``Accept-Encoding: gzip`` and keep their
   connection open (``--no-gzip`` and ``--close`` give the client of before ADR 0124). The
   clients are Python asyncio in this process, or ``wrk`` (``--wrk``: C, two threads, the
   same mix from ``bench/public_register.lua``; overall percentiles only). Before the load,
   one request of each kind warms the cache, as a first visitor would (timed: "first").
   Reported: requests per second; the median, 95th and 99th percentile latency per kind and
   overall; the processor time of the app server, of the load client and of the whole
   machine over the run, and the load average, since the machine is shared.

Target: p95 <= 100 ms over all requests. Exit status 1 when it is missed or any request
failed. Only loopback addresses are used; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
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


class _Connection:
    """One visitor's HTTP/1.1 connection, kept open between requests as a browser keeps it
    (``keep_alive``), or one connection per request (``Connection: close``)."""

    def __init__(self, keep_alive: bool, accept_gzip: bool) -> None:
        self.keep_alive = keep_alive
        self.accept_gzip = accept_gzip
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, int]:
        """Status and body size; the whole body is read, as a browser reads it."""
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, PORT)
            try:
                return await self._exchange(path)
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()  # the server closed an idle kept connection: open a new one
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, path: str) -> tuple[int, int]:
        assert self.reader is not None
        assert self.writer is not None
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {HOST}:{PORT}",
            f"Connection: {'keep-alive' if self.keep_alive else 'close'}",
            "Accept-Language: nl",
            *(["Accept-Encoding: gzip, deflate, br, zstd"] if self.accept_gzip else []),
        ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        headers = {
            name.strip().lower(): value.strip()
            for name, _sep, value in (
                line.partition(b":") for line in head.split(b"\r\n")[1:] if line
            )
        }
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        else:
            body = await self.reader.read()
        if not self.keep_alive or headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, len(body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _get(path: str, accept_gzip: bool = False) -> tuple[int, int]:
    connection = _Connection(keep_alive=False, accept_gzip=accept_gzip)
    try:
        return await connection.get(path)
    finally:
        connection.close()


async def _client(
    paths: dict[str, str],
    until: float,
    seed: int,
    out: dict[str, list[float]],
    errors: list[str],
    options: argparse.Namespace,
) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, _weight in MIX]
    weights = [weight for _kind, weight in MIX]
    connection = _Connection(keep_alive=not options.close, accept_gzip=not options.no_gzip)
    try:
        while time.perf_counter() < until:
            kind = rng.choices(kinds, weights)[0]
            start = time.perf_counter()
            try:
                status, _size = await connection.get(paths[kind])
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(f"{kind}: {exc!r}")
                connection.close()
                continue
            if status != 200:
                errors.append(f"{kind}: HTTP {status}")
                continue
            out[kind].append((time.perf_counter() - start) * 1000)
    finally:
        connection.close()


async def _load(paths: dict[str, str], options: argparse.Namespace) -> tuple[dict, list, float]:
    out: dict[str, list[float]] = {kind: [] for kind, _w in MIX}
    errors: list[str] = []
    start = time.perf_counter()
    until = start + options.seconds
    await asyncio.gather(
        *(_client(paths, until, i, out, errors, options) for i in range(options.clients))
    )
    return out, errors, time.perf_counter() - start


def _cpu_seconds(session: int) -> float:
    """Processor time (user + system) of every process in the app server's session."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # field 6 of stat: the session id
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, total) processor seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / tick, sum(values) / tick


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _wrk(paths: dict[str, str], options: argparse.Namespace) -> dict[str, float]:
    """The same load from wrk (C, two threads): overall figures only (wrk does not tell
    the kinds apart); wrk's processor time is measured as a child's."""
    if shutil.which("wrk") is None:  # a Debian package, installed as the Makefile does
        subprocess.run([str(ROOT / "scripts" / "apt-install"), "wrk"], check=True)
    env = {**os.environ, "REGISTER_BASE": paths["page"]}
    if options.no_gzip:
        env["REGISTER_NO_GZIP"] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(options.clients),
            "--duration",
            f"{options.seconds:.0f}s",
            "--timeout",
            "10s",
            "--script",
            str(HERE / "public_register.lua"),
            f"http://{HOST}:{PORT}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next(row for row in done.stdout.splitlines() if row.startswith("RESULT "))
    fields = {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}
    return {
        "requests": fields["requests"],
        "errors": fields["errors"],
        "elapsed": fields["duration_us"] / 1e6,
        "bytes": fields["bytes"],
        "p50": fields["p50_us"] / 1000,
        "p95": fields["p95_us"] / 1000,
        "p99": fields["p99_us"] / 1000,
        "cpu": cpu,
    }


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
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis", default=os.environ.get("VIB_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)  # one per core
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--db-prefix", default="vib_bench_public", help="throw-away database")
    parser.add_argument(
        "--no-gzip", action="store_true", help="send no Accept-Encoding (before ADR 0124)"
    )
    parser.add_argument(
        "--close", action="store_true", help="one connection per request (before ADR 0124)"
    )
    parser.add_argument(
        "--wrk", action="store_true", help="load with wrk (bench/public_register.lua) instead"
    )
    args = parser.parse_args()
    PORT = args.port

    with throwaway_postgres(args.pg, args.db_prefix) as url:
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
                cold[kind] += (asyncio.run(_get(path, accept_gzip=True))[1],)
            load_before = os.getloadavg()
            busy_before, _total = _machine_busy()
            server_before = _cpu_seconds(server.pid)
            client_before = time.process_time()
            if args.wrk:
                result = _wrk(paths, args)
                out, errors = {}, [f"{result['errors']} errors"] if result["errors"] else []
                elapsed, client_cpu = result["elapsed"], result["cpu"]
            else:
                out, errors, elapsed = asyncio.run(_load(paths, args))
                client_cpu = time.process_time() - client_before
                total = [v for values in out.values() for v in values]
                result = {
                    "requests": len(total),
                    "p50": statistics.median(total),
                    "p95": _pct(total, 0.95),
                    "p99": _pct(total, 0.99),
                }
            server_cpu = _cpu_seconds(server.pid) - server_before
            busy_after, _total = _machine_busy()
            load_after = os.getloadavg()
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)

    machine = (busy_after - busy_before) / elapsed
    print(
        f"\n{args.clients} anonymous clients ({'wrk' if args.wrk else 'Python asyncio'}, "
        f"{'no Accept-Encoding' if args.no_gzip else 'Accept-Encoding: gzip'}, "
        f"{'a connection per request' if args.close else 'kept-alive connections'}), "
        f"{args.seconds:.0f} s, gunicorn {args.workers} workers x {args.threads} threads, "
        f"{result['requests']} requests, {result['requests'] / elapsed:.0f} req/s, "
        f"{len(errors)} errors"
    )
    print(
        f"processor, in cores of {os.cpu_count()}: app server {server_cpu / elapsed:.2f}, "
        f"load client {client_cpu / elapsed:.2f}, whole machine {machine:.2f} "
        f"(so {max(machine - (server_cpu + client_cpu) / elapsed, 0):.2f} for everything else); "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print("| what | bytes | gzip bytes | first (cold) | requests | median | p95 | p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind, (ms, _status, size, packed) in cold.items():
        values = out.get(kind, [])
        print(
            f"| {kind} | {size:,} | {packed:,} | {ms:.0f} ms | {len(values) or '-'} | "
            + (
                f"{statistics.median(values):.1f} ms | {_pct(values, 0.95):.1f} ms | "
                f"{_pct(values, 0.99):.1f} ms |"
                if values
                else "- | - | - |"
            )
        )
    print(
        f"| all | | | | {result['requests']} | {result['p50']:.1f} ms | {result['p95']:.1f} ms | "
        f"{result['p99']:.1f} ms |"
    )
    for error in errors[:5]:
        print("error:", error)
    p95 = result["p95"]
    ok = p95 <= TARGET_MS and not errors
    print(f"\ntarget p95 <= {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'} ({p95:.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
