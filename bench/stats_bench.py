"""Benchmark of vib.stats against svy and a DuckDB SQL formulation, end to end from the file.

Workload: N rows, 40 strata, 5,000 clusters (nested in strata), 4 domains; the weighted
proportion of a 0/1 variable per domain with its linearised (with-replacement) SE, for
(a) the stratified cluster design and (b) the same with every row its own PSU. The data is
written once as Parquet and as CSV (int32 codes, float64 weight and outcome).

What is timed, for every peer: from the file name to the numbers — reading the file and
estimating. vib: ``run_spec(spec)`` with the spec's ``data`` naming the file (spec parsing,
the columnar reader, design checks, estimation, intervals, result rows); DuckDB: one SQL
query over ``read_parquet(file)`` / ``read_csv(file)`` (read once: a materialised CTE;
default threads); svy: ``polars.read_parquet`` / ``read_csv`` and then
``Sample(frame, Design(...)).estimation.prop(...)``. Starting the interpreters and importing
the peers are not timed. Every timed call reads the file anew (from the operating system's
page cache after the first round, for every peer alike). Rounds are interleaved (vib, DuckDB,
vib, DuckDB, ...) and the median of the per-round ratios is reported, so machine load affects
both sides alike.

All implementations' numbers are asserted equal to 1e-9 relative, and vib's fast path to its
general path to 1e-12. vib's peak memory is measured in a separate process per file and
design: its peak resident set (VmHWM) during ``run_spec`` above its resident set just
before, against the size of the columns the reader produces (the file's in-memory columns).
The script exits 1 when a target is missed.

    python bench/stats_bench.py [--rows 5000000] [--repeat 5] [--svy-repeat 1] [--no-svy]
        [--format parquet csv] [--dir DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vib.stats import run_spec
from vib.stats.data import read_table
from vib.stats.engine import run_table
from vib.stats.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]
NSTRATA = 40
NCLUSTERS = 5000
NDOMAINS = 4


def make_data(n: int, seed: int = 20240601) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, NCLUSTERS, n).astype(np.int32)
    stratum = (cluster % NSTRATA).astype(np.int32)
    domain = rng.integers(0, NDOMAINS, n).astype(np.int32)
    weight = rng.uniform(1.0, 10.0, n)
    p = np.array([0.15, 0.27, 0.4, 0.6])[domain]
    y = (rng.random(n) < p).astype(np.float64)
    return {"h": stratum, "c": cluster, "d": domain, "w": weight, "y": y}


def write_files(cols: dict[str, np.ndarray], where: Path) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    tbl = pa.table(cols)
    files = {"parquet": where / "bench.parquet", "csv": where / "bench.csv"}
    pq.write_table(tbl, files["parquet"])
    pacsv.write_csv(tbl, files["csv"])
    return files


def spec_of(path: Path, element: bool) -> dict[str, Any]:
    return {
        "data": str(path),
        "design": {"ids": [] if element else ["c"], "strata": "h", "weights": "w"},
        "estimates": [{"id": "p", "statistic": "proportion", "variable": "y", "by": ["d"]}],
    }


def _numbers(out: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    rows = out["estimates"][0]["rows"]
    return np.array([r["estimate"] for r in rows]), np.array([r["se"] for r in rows])


def vib_run(path: Path, element: bool) -> tuple[np.ndarray, np.ndarray]:
    return _numbers(run_spec(spec_of(path, element)))


def vib_general(path: Path, element: bool) -> tuple[np.ndarray, np.ndarray]:
    spec = spec_of(path, element)
    return _numbers(run_table(parse_spec(spec), read_table(path), fast=False))


def _source(path: Path) -> str:
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    return f"{reader}('{path}')"


def duck_run(con: Any, path: Path, element: bool) -> tuple[np.ndarray, np.ndarray]:
    # the file name is the script's own temporary file: no injection (S608)
    t = f"t AS MATERIALIZED (SELECT h, c, d, w, y FROM {_source(path)})"  # noqa: S608
    if element:
        sql = f"""
        WITH {t},
        dom AS (SELECT d, SUM(w) AS big_n, SUM(w*y)/SUM(w) AS p FROM t GROUP BY d),
        nh AS (SELECT h, COUNT(*)::DOUBLE AS n FROM t GROUP BY h),
        z AS (SELECT t.d, t.h, t.w*(t.y - dom.p)/dom.big_n AS z FROM t JOIN dom USING (d)),
        st AS (SELECT d, h, SUM(z) AS s, SUM(z*z) AS q FROM z GROUP BY d, h)
        SELECT st.d, any_value(dom.p),
               SQRT(SUM(nh.n/(nh.n-1)*(st.q - st.s*st.s/nh.n)))
        FROM st JOIN nh USING (h) JOIN dom USING (d) GROUP BY st.d ORDER BY st.d"""  # noqa: S608
    else:
        sql = f"""
        WITH {t},
        dom AS (SELECT d, SUM(w) AS big_n, SUM(w*y)/SUM(w) AS p FROM t GROUP BY d),
        nh AS (SELECT h, COUNT(DISTINCT c)::DOUBLE AS n FROM t GROUP BY h),
        psu AS (SELECT d, h, c, SUM(w*y) AS a, SUM(w) AS b FROM t GROUP BY d, h, c),
        tt AS (SELECT psu.d, psu.h, (psu.a - dom.p*psu.b)/dom.big_n AS tot
               FROM psu JOIN dom USING (d)),
        st AS (SELECT d, h, SUM(tot) AS s, SUM(tot*tot) AS q FROM tt GROUP BY d, h)
        SELECT st.d, any_value(dom.p),
               SQRT(SUM(nh.n/(nh.n-1)*(st.q - st.s*st.s/nh.n)))
        FROM st JOIN nh USING (h) JOIN dom USING (d) GROUP BY st.d ORDER BY st.d"""  # noqa: S608
    res = np.array(con.execute(sql).fetchall(), dtype=float)
    return res[:, 1], res[:, 2]


def svy_run(path: Path, element: bool) -> tuple[np.ndarray, np.ndarray]:
    import polars as pl
    import svy

    frame = pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path)
    design = svy.Design(stratum="h", psu=None if element else "c", wgt="w", wr=True)
    sample = svy.Sample(frame, design)
    est = sample.estimation.prop("y", by="d").to_polars()
    ycol = next(c for c in est.columns if c in ("y", "level", "category"))
    est = est.filter(pl.col(ycol).cast(pl.Float64) == 1.0).sort("d")
    return est["est"].to_numpy(), est["se"].to_numpy()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


MEMORY_CHILD = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from vib.stats import run_spec
from vib.stats.data import read_table

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise SystemExit(key + " not in /proc/self/status")

spec, small = json.loads(sys.argv[2]), json.loads(sys.argv[3])
run_spec(small)  # imports, thread pool: not part of the peak
before = status("VmRSS")
run_spec(spec)
peak = status("VmHWM") - before
columns = sum(c.nbytes for c in read_table(Path(spec["data"])).columns.values())
print(json.dumps({"peak": peak, "columns": columns}))
"""


def peak_memory(path: Path, small: Path, element: bool) -> tuple[int, int]:
    """(peak resident bytes during run_spec above the resident bytes before it, bytes of the
    columns as read) in a fresh process that has run the spec once on ``small`` (the same
    format, 1,000 rows) first, so that imports and thread stacks do not count."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            MEMORY_CHILD,
            str(ROOT / "src"),
            json.dumps(spec_of(path, element)),
            json.dumps(spec_of(small, element)),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(proc.stdout)
    return int(out["peak"]), int(out["columns"])


def agree(
    name: str, a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], tol: float = 1e-9
) -> float:
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        rel = float(np.max(np.abs(x - y) / np.abs(y)))
        worst = max(worst, rel)
    assert worst <= tol, f"{name}: relative difference {worst:.3g} > {tol:g}"
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="interleaved rounds per file and design (vib and DuckDB; svy: --svy-repeat)",
    )
    ap.add_argument("--svy-repeat", type=int, default=1)
    ap.add_argument("--no-svy", action="store_true", help="skip the (slow) svy peer")
    ap.add_argument("--format", nargs="+", choices=("parquet", "csv"), default=["parquet", "csv"])
    ap.add_argument("--dir", type=Path, help="where to write the data files (default: a temp dir)")
    args = ap.parse_args(argv)
    n = args.rows
    import duckdb

    where = args.dir or Path(tempfile.mkdtemp(prefix="vib-stats-bench-"))
    where.mkdir(parents=True, exist_ok=True)
    cols = make_data(n)
    files = write_files(cols, where)
    (where / "small").mkdir(exist_ok=True)
    small = write_files({k: v[:1000] for k, v in cols.items()}, where / "small")
    del cols
    print(
        f"rows={n:,}  strata={NSTRATA}  clusters={NCLUSTERS}  domains={NDOMAINS}  "
        f"parquet {files['parquet'].stat().st_size / 2**20:.0f} MiB, "
        f"csv {files['csv'].stat().st_size / 2**20:.0f} MiB  numpy {np.__version__}  "
        f"duckdb {duckdb.__version__}  processors {os.process_cpu_count()}  "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    con = duckdb.connect()
    ok = True
    for fmt in args.format:
        path = files[fmt]
        for element in (False, True):
            label = f"{fmt}, " + ("element (each row its own PSU)" if element else "cluster")
            # the fast path must agree with the general path (checked once, not timed)
            r_gen = vib_general(path, element)
            vib_run(path, element)  # warm-up: imports, thread pool, page cache
            duck_run(con, path, element)
            t_vib: list[float] = []
            t_duck: list[float] = []
            ratios: list[float] = []
            r_vib = r_duck = None
            for _ in range(args.repeat):
                tv, r_vib = timed(lambda p=path, e=element: vib_run(p, e))
                td, r_duck = timed(lambda p=path, e=element: duck_run(con, p, e))
                t_vib.append(tv)
                t_duck.append(td)
                ratios.append(tv / td)
            assert r_vib is not None
            assert r_duck is not None
            diff_gen = agree("general path", r_vib, r_gen, 1e-12)
            diff = agree("duckdb", r_vib, r_duck)
            mv, md, mr = median(t_vib), median(t_duck), median(ratios)
            line = (
                f"[{label}] vib {mv:.3f}s | duckdb {md:.3f}s (vib/duckdb = {mr:.2f}, target <= 1.5)"
            )
            ok &= mr <= 1.5
            if not args.no_svy:
                t_svy = []
                r_svy = None
                for _ in range(args.svy_repeat):
                    ts, r_svy = timed(lambda p=path, e=element: svy_run(p, e))
                    t_svy.append(ts)
                assert r_svy is not None
                diff = max(diff, agree("svy", r_vib, r_svy))
                ms_ = median(t_svy)
                line += f" | svy {ms_:.3f}s (svy/vib = {ms_ / mv:.1f}x, target >= 10)"
                ok &= ms_ >= 10 * mv
            peak, columns = peak_memory(path, small[fmt], element)
            ratio = peak / columns
            ok &= ratio <= 3
            print(line)
            print(
                f"    vib rounds {', '.join(f'{t:.3f}' for t in t_vib)} s; duckdb rounds "
                f"{', '.join(f'{t:.3f}' for t in t_duck)} s"
            )
            print(
                f"    max relative difference to peers {diff:.2e} (to vib's general path "
                f"{diff_gen:.1e}); vib peak memory {peak / 2**20:.0f} MiB = {ratio:.2f}x the "
                f"columns read ({columns / 2**20:.0f} MiB; target <= 3)"
            )
            print("    p  =", np.array2string(r_vib[0], precision=6))
            print("    se =", np.array2string(r_vib[1], precision=6))
    print("all targets met" if ok else "SOME TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
