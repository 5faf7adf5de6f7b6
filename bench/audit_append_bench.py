"""What one audit event costs on PostgreSQL with the keyed chain (ADR 0093).

Creates a throw-away database, migrates it, appends ``--events`` audit events one by one
(each in its own transaction, as an audited write outside a caller's transaction would) and
reports CPU and wall time per append and the time of ``vib audit verify`` over them.

    nice .venv/bin/python bench/audit_append_bench.py --events 2000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    import psycopg

    name = f"vib_audit_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vib.conf.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from vib.audit.selectors import audit_chain_problems
        from vib.audit.services import audit_record

        call_command("migrate", verbosity=0)
        for i in range(50):  # warm-up
            audit_record(actor=None, action="read", object_type="bench.x", object_id=str(i))
        cpu, wall = [], []
        for i in range(args.events):
            c0, w0 = time.process_time(), time.perf_counter()
            audit_record(actor=None, action="read", object_type="bench.x", object_id=str(i))
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        started = time.perf_counter()
        problems = list(audit_chain_problems())
        verify = time.perf_counter() - started
        assert not problems, problems[:3]
        print(f"events appended      {args.events}")
        print(f"CPU per append       {statistics.mean(cpu) * 1000:.3f} ms (mean)")
        print(f"wall per append      {statistics.median(wall) * 1000:.3f} ms (median)")
        each = verify / (args.events + 50) * 1e6
        print(f"verify, all events   {verify:.2f} s ({each:.0f} µs each)")
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
