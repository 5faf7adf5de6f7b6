"""Single-pass path for the most common analysis: uncalibrated, Taylor-linearised weighted
domain means and proportions under a one-stage (stratified) cluster or element design,
sampled with replacement.

The general path builds dense codes, masked copies and per-row influence values for every
estimate. Here each row is mapped once to a combined cell index (int64, from the raw codes)

    cell = psu * D + domain                          cluster design; each PSU's stratum apart
    cell = stratum * D + domain                      element design
    cell = ((psu * H) + stratum) * D + domain        cluster design with nest=True

and ``np.bincount`` sums w and w·y straight into the cells. For a
cluster design the PSU totals of the influence values follow from those cell sums alone,

    Z_cd = (Σ_cd w y - ȳ_d Σ_cd w) / Σ_d w,

so no further pass over the rows is needed. For an element design (every row its own PSU)
the within-stratum sum of squares needs a second pass, Σ_hd (w y - ȳ_d w)². Both passes run
over chunks of rows on a thread pool (``chunks``); each chunk's partial cell sums are added in
chunk order. The variance is then R's ``svyrecvar`` for one stage with replacement:

    V = Σ_h n_h/(n_h - 1) · [Σ_{i∈h} Z_i Z_iᵀ - S_h S_hᵀ / n_h].

Anything the path does not cover exactly as the general path would — missing values, zero or
invalid weights, non-integer or sparse codes, clusters not nested in strata, a stratum with
one PSU, fpc, several stages, calibration, replicates, subsets, tests, contrasts, design
effects — returns ``None`` and the general path runs (and raises its usual errors). The two
paths agree to rounding (≤ 1e-12 relative; ``tests/stats/test_fastpath.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from . import chunks
from .data import Table
from .design import IntArray, _num
from .estimators import EstimateResult
from .spec import EstimateSpec, Spec

MAX_CELLS = 1 << 24


def eligible(spec: Spec) -> bool:
    ds = spec.design
    return (
        spec.replicates is None
        and not spec.calibration
        and spec.subset is None
        and not spec.contrasts
        and not spec.tests
        and not spec.output_weights
        and ds.weights is not None
        and ds.probs is None
        and not ds.fpc
        and len(ds.ids) <= 1
        and bool(spec.estimates)
        and all(_eligible_estimate(e) for e in spec.estimates)
    )


def _eligible_estimate(e: EstimateSpec) -> bool:
    return (
        e.statistic in ("mean", "proportion")
        and isinstance(e.variable, str)
        and len(e.by) <= 1
        and not e.deff
        and e.ci not in ("likelihood", "logit")
    )


def _numeric(table: Table, name: str) -> npt.NDArray[Any] | None:
    col = table.columns.get(name)
    if col is None or col.dtype.kind not in "iuf" or len(col) == 0:
        return None
    return col


def _extremes(cols: list[npt.NDArray[Any]], n: int) -> list[tuple[float, float]]:
    """(lowest, highest) value of each column in one chunked pass; NaN when a value is NaN."""

    def part(s: slice) -> list[tuple[float, float]]:
        return [(float(c[s].min()), float(c[s].max())) for c in cols]

    parts = chunks.map_chunks(part, n, chunks.chunk_rows(n, 0))
    # min() and max() of numpy floats propagate NaN as numpy does; Python's would not
    return [
        (float(np.min([p[i][0] for p in parts])), float(np.max([p[i][1] for p in parts])))
        for i in range(len(cols))
    ]


def _total(parts: list[Any]) -> Any:
    """The element-wise sum of the chunks' partial sums, in chunk order."""
    out = parts[0].copy()
    for p in parts[1:]:
        out += p
    return out


def _code_range(
    col: npt.NDArray[Any] | None, lo: float, hi: float, n: int
) -> tuple[npt.NDArray[Any], int, int] | None:
    """(column, lowest value, number of values in the range) for an integer-valued column."""
    if col is None:
        return None
    if col.dtype.kind == "f":
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None
        if not np.array_equal(col, np.floor(col)):
            return None
    span = int(hi) - int(lo) + 1
    if span > max(4 * n, 1024):
        return None
    return col, int(lo), span


def _cell_index(parts: list[tuple[npt.NDArray[Any], int, int]], s: slice) -> IntArray:
    """Mixed-radix cell index of the rows ``s`` of integer code columns (outermost first)."""
    key = np.zeros(s.stop - s.start, dtype=np.int64)
    offset = 0
    for i, (col, lo, span) in enumerate(parts):
        if i == 0:
            np.copyto(key, col[s], casting="unsafe")
        else:
            key *= span
            np.add(key, col[s], out=key, casting="unsafe")
        offset = offset * span + lo
    if offset:
        key -= offset
    return key


def domain_means(spec: Spec, table: Table, e: EstimateSpec) -> EstimateResult | None:  # noqa: C901, PLR0912, PLR0915
    """The domain means of ``e`` with their covariance, or None to use the general path."""
    ds = spec.design
    n = table.n
    assert isinstance(e.variable, str)
    assert ds.weights is not None
    y = _numeric(table, e.variable)
    w = _numeric(table, ds.weights)
    if y is None or w is None or n < 2:
        return None
    element = not ds.ids
    names = [None if element else ds.ids[0], ds.strata, e.by[0] if e.by else None]
    code_cols = {name: _numeric(table, name) for name in names if name is not None}
    if any(col is None for col in code_cols.values()):
        return None
    present_cols = [c for c in code_cols.values() if c is not None]
    (wmin, wmax), (ymin, ymax), *code_ext = _extremes([w, y, *present_cols], n)
    if not (wmin > 0 and math.isfinite(wmax)):
        return None  # zero, negative or missing weights: general path
    if not (math.isfinite(ymin) and math.isfinite(ymax)):
        return None  # missing values: general path
    if e.statistic == "proportion" and (ymin < 0 or ymax > 1):
        return None  # the general path reports the error
    ranges = {
        name: _code_range(col, lo, hi, n)
        for (name, col), (lo, hi) in zip(code_cols.items(), code_ext, strict=True)
    }
    if any(r is None for r in ranges.values()):
        return None
    psu, strata, dom = (ranges.get(name) if name is not None else None for name in names)
    cr = 1 if psu is None else psu[2]
    hr = 1 if strata is None else strata[2]
    dr = 1 if dom is None else dom[2]
    # A cluster design whose PSU codes do not repeat across strata (R's nest=FALSE, the
    # default) sums into (PSU, domain) cells and keeps each PSU's stratum apart: (PSU, stratum,
    # domain) cells would be nearly all empty, one stratum per PSU.
    apart = psu is not None and not (ds.nest and strata is not None)
    layout = (cr, 1, dr) if apart else (cr, hr, dr)
    ncells = math.prod(layout)
    if ncells > MAX_CELLS:
        return None
    parts = [p for p in ((psu, dom) if apart else (psu, strata, dom)) if p is not None]
    rows = chunks.chunk_rows(n, ncells)
    stratum_of = np.zeros(cr, dtype=np.int64)  # each PSU's stratum (apart)
    track = apart and strata is not None

    def psu_and_stratum(s: slice) -> tuple[IntArray, IntArray]:
        assert psu is not None
        assert strata is not None
        # codes may be integer-valued floats (checked above): cast as _cell_index does
        return (
            np.subtract(psu[0][s], psu[1], dtype=np.int64, casting="unsafe"),
            np.subtract(strata[0][s], strata[1], dtype=np.int64, casting="unsafe"),
        )

    def cell_index(s: slice) -> IntArray:
        return _cell_index(parts, s) if parts else np.zeros(s.stop - s.start, dtype=np.int64)

    def sums(s: slice) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], IntArray]:
        key = cell_index(s)
        if track:
            # a PSU in several strata leaves a row whose stratum differs, whichever write wins
            p, h = psu_and_stratum(s)
            stratum_of[p] = h
        ws = w[s].astype(np.float64, copy=False)
        wy = np.multiply(ws, y[s], dtype=np.float64)
        return (
            np.bincount(key, weights=ws, minlength=ncells),
            np.bincount(key, weights=wy, minlength=ncells),
            np.bincount(key, minlength=ncells),
        )

    partial = chunks.map_chunks(sums, n, rows)
    sw, swy, count = (_total([p[i] for p in partial]).reshape(layout) for i in range(3))
    del partial

    def strays(s: slice) -> bool:
        p, h = psu_and_stratum(s)
        return bool((np.take(stratum_of, p) != h).any())

    if track and any(chunks.map_chunks(strays, n, rows)):
        return None  # PSUs not nested in strata: the general path errors
    present = count > 0
    dom_present = present.any(axis=(0, 1))
    dlev = np.flatnonzero(dom_present)
    big_n = sw.sum(axis=(0, 1))[dlev]  # Σ_d w
    theta = swy.sum(axis=(0, 1))[dlev] / big_n  # ȳ_d
    nd = len(dlev)
    if element:
        n_h = count[0].sum(axis=1).astype(np.float64)  # rows per stratum
        hlev = np.flatnonzero(n_h > 0)
        n_h = n_h[hlev]
        if (n_h < 2).any():
            return None  # lonely PSU: general path
        table_theta = np.zeros((hr, dr))
        table_theta[:, dlev] = theta
        cell_theta = table_theta.reshape(-1)

        def squares(s: slice) -> npt.NDArray[np.float64]:
            # Σ_hd (w y - ȳ_d w)² in one buffer r: r = ȳ[cell]; r ·= w; r = w y - r; r²
            key = cell_index(s)
            ws = w[s].astype(np.float64, copy=False)
            r = np.take(cell_theta, key)
            np.multiply(r, ws, out=r)
            np.subtract(np.multiply(ws, y[s], dtype=np.float64), r, out=r)
            np.multiply(r, r, out=r)
            return np.bincount(key, weights=r, minlength=hr * dr)

        ss = _total(chunks.map_chunks(squares, n, rows)).reshape(hr, dr)[hlev][:, dlev]
        s = (swy[0][:, dlev] - sw[0][:, dlev] * theta[None, :])[hlev] / big_n[None, :]
        scale = n_h / (n_h - 1)
        cov = -(s * (scale / n_h)[:, None]).T @ s
        cov[np.diag_indices(nd)] += (scale[:, None] * ss).sum(axis=0) / big_n**2
        npsu_d = count[0][:, dlev].sum(axis=0)
        nstr_d = present[0][:, dlev].sum(axis=0)
    else:
        ch = present.any(axis=2)  # (psu, stratum) pairs with rows; (psu, 0) when apart
        if apart:
            psu_rows = np.flatnonzero(ch[:, 0])
            psu_strat = stratum_of[psu_rows]
            cell = (psu_rows, np.zeros_like(psu_rows))
        else:
            psu_rows, psu_strat = np.nonzero(ch)  # nest: a PSU is a (psu, stratum) pair
            cell = (psu_rows, psu_strat)
        if len(psu_rows) < 2:
            return None
        a = swy[cell][:, dlev]
        b = sw[cell][:, dlev]
        z = (a - b * theta[None, :]) / big_n[None, :]  # PSU totals of the influence values
        n_h = np.bincount(psu_strat, minlength=hr).astype(np.float64)
        if (n_h == 1).any():
            return None  # lonely PSU: general path
        scale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 0.0)
        s = np.zeros((hr, nd))
        for j in range(nd):
            s[:, j] = np.bincount(psu_strat, weights=z[:, j], minlength=hr)
        q = (z * scale[psu_strat][:, None]).T @ z
        coef = np.where(n_h > 0, scale / np.maximum(n_h, 1), 0.0)
        cov = q - (s * coef[:, None]).T @ s
        in_dom = present[cell][:, dlev]  # the PSU has rows of the domain
        npsu_d = in_dom.sum(axis=0)
        nstr_d = np.array(
            [
                np.count_nonzero(np.bincount(psu_strat[in_dom[:, j]], minlength=hr))
                for j in range(nd)
            ]
        )
    rows_d = count.sum(axis=(0, 1))[dlev]
    labels: list[tuple[dict[str, Any], Any]]
    if e.by:
        assert dom is not None
        lo = dom[1]
        labels = [({e.by[0]: _num(float(lo + k))}, None) for k in dlev.tolist()]
    else:
        labels = [({}, None)]
    counts = [int(x) for x in rows_d]
    return EstimateResult(
        "mean",
        np.asarray(theta, dtype=np.float64),
        np.asarray(cov, dtype=np.float64),
        labels,
        counts,
        [int(a) - int(b) for a, b in zip(npsu_d, nstr_d, strict=True)],
        counts,
    )
