"""``make bench``: every benchmark of bench/, one after the other, each in its own process.

Each script builds its own throw-away database and measures its peer or baseline side by side
in the same run (see bench/README.md). A script that misses its target exits non-zero; this
runner reports every result and exits non-zero when any did.

    .venv/bin/python bench/run.py                # all
    .venv/bin/python bench/run.py stats surveys  # some
    .venv/bin/python bench/run.py --quick        # smaller workloads, to check they run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (script, full arguments, quick arguments)
BENCHMARKS: dict[str, tuple[str, list[str], list[str]]] = {
    "stats": ("stats_bench.py", [], ["--rows", "500000", "--repeat", "3", "--no-svy"]),
    "incidents": ("incidents_bench.py", [], ["--quick"]),
    "integrity": ("integrity_bench.py", [], ["--cases", "2000"]),
    "disclosures": ("disclosures_bench.py", [], ["--people", "100"]),
    "surveys": ("surveys_bench.py", [], ["--scale", "small"]),
    "support": ("support_bench.py", [], ["--requests", "2000", "--facts", "20000"]),
    "monitor": ("monitor_bench.py", [], ["--quick"]),
    "load_faults": ("load_faults.py", [], ["--quick"]),
    "page_shell": ("page_shell_bench.py", [], ["--rounds", "5"]),
    "public_register": (
        "public_register_load.py",
        [],
        ["--people", "100", "--clients", "10", "--seconds", "5"],
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="smaller workloads")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = sorted(set(names) - BENCHMARKS.keys())
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    env = {**os.environ, "VIB_ENV": "test", "PYTHONUNBUFFERED": "1"}
    results: list[tuple[str, str, float]] = []
    for index, name in enumerate(names, start=1):
        script, full, quick = BENCHMARKS[name]
        path = HERE / script
        if not path.exists():
            results.append((name, "not present", 0.0))
            continue
        print(f"\n[{index}/{len(names)}] {name}: {script}", flush=True)
        started = time.perf_counter()
        code = subprocess.call(
            [sys.executable, str(path), *(quick if args.quick else full)], env=env
        )
        elapsed = time.perf_counter() - started
        results.append((name, "ok" if code == 0 else f"FAILED (exit {code})", elapsed))
    print("\nbenchmark      result              seconds")
    for name, result, elapsed in results:
        print(f"{name:<14} {result:<19} {elapsed:7.1f}")
    return 1 if any(result.startswith("FAILED") for _n, result, _e in results) else 0


if __name__ == "__main__":
    sys.exit(main())
