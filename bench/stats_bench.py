"""Benchmark of vib.stats against svy and a DuckDB SQL formulation.

Workload: N rows, 40 strata, 5,000 clusters (nested in strata), 4 domains; the weighted
proportion of a 0/1 variable per domain with its linearised (with-replacement) SE, for
(a) the stratified cluster design and (b) the same with every row its own PSU.

What is timed, for every peer: the estimation on data already in memory in that peer's own
format, from the call to the numbers — vib: ``run_table(spec, Table(columns))`` on the numpy
columns (spec parsing, design checks, estimation, intervals, result rows); DuckDB: the SQL
query on a table already loaded into DuckDB (its own columnar storage, default threads);
svy: ``Sample(frame, Design(...)).estimation.prop(...)`` on a polars frame already built.
Loading data, building the frame/table and starting the peers are not timed. Rounds are
interleaved (vib, DuckDB, vib, DuckDB, ...) and the median of the per-round ratios is
reported, so machine load affects both sides alike.

All implementations' numbers are asserted equal to 1e-9 relative, and vib's fast path to
its general path to 1e-12. vib's peak memory is measured in a separate, untimed call with
tracemalloc (numpy reports every array buffer to it): the peak of memory allocated during
the call above what was allocated before it, against the size of the input columns. The
script exits 1 when a target is missed.

    python bench/stats_bench.py [--rows 5000000] [--repeat 5] [--svy-repeat 1] [--no-svy]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vib.stats.data import Table
from vib.stats.engine import run_table
from vib.stats.spec import parse_spec

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


def vib_run(
    cols: dict[str, np.ndarray], element: bool, fast: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    spec = parse_spec(
        {
            "data": "-",
            "design": {"ids": [] if element else ["c"], "strata": "h", "weights": "w"},
            "estimates": [{"id": "p", "statistic": "proportion", "variable": "y", "by": ["d"]}],
        }
    )
    out = run_table(spec, Table(cols), fast=fast)
    rows = out["estimates"][0]["rows"]
    return np.array([r["estimate"] for r in rows]), np.array([r["se"] for r in rows])


def duck_run(con: Any, element: bool) -> tuple[np.ndarray, np.ndarray]:
    if element:
        sql = """
        WITH dom AS (SELECT d, SUM(w) AS big_n, SUM(w*y)/SUM(w) AS p FROM t GROUP BY d),
        nh AS (SELECT h, COUNT(*)::DOUBLE AS n FROM t GROUP BY h),
        z AS (SELECT t.d, t.h, t.w*(t.y - dom.p)/dom.big_n AS z FROM t JOIN dom USING (d)),
        st AS (SELECT d, h, SUM(z) AS s, SUM(z*z) AS q FROM z GROUP BY d, h)
        SELECT st.d, any_value(dom.p),
               SQRT(SUM(nh.n/(nh.n-1)*(st.q - st.s*st.s/nh.n)))
        FROM st JOIN nh USING (h) JOIN dom USING (d) GROUP BY st.d ORDER BY st.d"""
    else:
        sql = """
        WITH dom AS (SELECT d, SUM(w) AS big_n, SUM(w*y)/SUM(w) AS p FROM t GROUP BY d),
        nh AS (SELECT h, COUNT(DISTINCT c)::DOUBLE AS n FROM t GROUP BY h),
        psu AS (SELECT d, h, c, SUM(w*y) AS a, SUM(w) AS b FROM t GROUP BY d, h, c),
        tt AS (SELECT psu.d, psu.h, (psu.a - dom.p*psu.b)/dom.big_n AS tot
               FROM psu JOIN dom USING (d)),
        st AS (SELECT d, h, SUM(tot) AS s, SUM(tot*tot) AS q FROM tt GROUP BY d, h)
        SELECT st.d, any_value(dom.p),
               SQRT(SUM(nh.n/(nh.n-1)*(st.q - st.s*st.s/nh.n)))
        FROM st JOIN nh USING (h) JOIN dom USING (d) GROUP BY st.d ORDER BY st.d"""
    res = np.array(con.execute(sql).fetchall(), dtype=float)
    return res[:, 1], res[:, 2]


def svy_run(frame: Any, element: bool) -> tuple[np.ndarray, np.ndarray]:
    import polars as pl
    import svy

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


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak of memory allocated during fn() above what was allocated before (tracemalloc:
    numpy reports its array buffers to it, so this counts every temporary array)."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base


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
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="interleaved rounds per design (vib and DuckDB; svy: --svy-repeat)",
    )
    ap.add_argument("--svy-repeat", type=int, default=1)
    ap.add_argument("--no-svy", action="store_true", help="skip the (slow) svy peer")
    args = ap.parse_args(argv)
    n = args.rows
    cols = make_data(n)
    input_bytes = sum(v.nbytes for v in cols.values())
    import duckdb

    print(
        f"rows={n:,}  strata={NSTRATA}  clusters={NCLUSTERS}  domains={NDOMAINS}  "
        f"input columns={input_bytes / 2**20:.0f} MiB  numpy {np.__version__}  "
        f"duckdb {duckdb.__version__}"
    )
    con = duckdb.connect()
    con.register("t_view", dict(cols.items()))
    con.execute("CREATE TABLE t AS SELECT * FROM t_view")
    frame = None
    if not args.no_svy:
        import polars as pl

        frame = pl.DataFrame(cols)
    ok = True
    for element in (False, True):
        label = "element (each row its own PSU)" if element else "stratified cluster"
        # the fast path must agree with the general path (checked once, not timed)
        r_gen = vib_run(cols, element, fast=False)
        t_vib: list[float] = []
        t_duck: list[float] = []
        ratios: list[float] = []
        r_vib = r_duck = None
        for _ in range(args.repeat):
            tv, r_vib = timed(lambda e=element: vib_run(cols, e))
            td, r_duck = timed(lambda e=element: duck_run(con, e))
            t_vib.append(tv)
            t_duck.append(td)
            ratios.append(tv / td)
        assert r_vib is not None
        assert r_duck is not None
        diff_gen = agree("general path", r_vib, r_gen, 1e-12)
        diff = agree("duckdb", r_vib, r_duck)
        mv, md, mr = median(t_vib), median(t_duck), median(ratios)
        line = f"[{label}] vib {mv:.3f}s | duckdb {md:.3f}s (vib/duckdb = {mr:.2f}, target <= 1.5)"
        ok &= mr <= 1.5
        if frame is not None:
            t_svy = []
            r_svy = None
            for _ in range(args.svy_repeat):
                ts, r_svy = timed(lambda e=element: svy_run(frame, e))
                t_svy.append(ts)
            assert r_svy is not None
            diff = max(diff, agree("svy", r_vib, r_svy))
            ms_ = median(t_svy)
            line += f" | svy {ms_:.3f}s (svy/vib = {ms_ / mv:.1f}x, target >= 10)"
            ok &= ms_ >= 10 * mv
        peak = peak_memory(lambda e=element: vib_run(cols, e))
        ratio = peak / input_bytes
        ok &= ratio <= 3
        print(line)
        print(
            f"    vib rounds {', '.join(f'{t:.3f}' for t in t_vib)} s; duckdb rounds "
            f"{', '.join(f'{t:.3f}' for t in t_duck)} s"
        )
        print(
            f"    max relative difference to peers {diff:.2e} (to vib's general path "
            f"{diff_gen:.1e}); vib peak memory {peak / 2**20:.0f} MiB = {ratio:.2f}x input "
            f"(target <= 3)"
        )
        print("    p  =", np.array2string(r_vib[0], precision=6))
        print("    se =", np.array2string(r_vib[1], precision=6))
    print("all targets met" if ok else "SOME TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
