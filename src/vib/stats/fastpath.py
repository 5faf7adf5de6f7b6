"""Single-pass path for the most common analysis: uncalibrated, Taylor-linearised weighted
domain means and proportions under a one-stage (stratified) cluster or element design,
sampled with replacement.

The general path builds dense codes, masked copies and per-row influence values for every
estimate. Here each row is mapped once to a combined cell index

    cell = ((psu * H) + stratum) * D + domain        (int64, from the raw integer codes)

and ``np.bincount`` sums w and w·y straight into the (PSU, stratum, domain) cells. For a
cluster design the PSU totals of the influence values follow from those cell sums alone,

    Z_cd = (Σ_cd w y - ȳ_d Σ_cd w) / Σ_d w,

so no row-length float temporary beyond w·y is made. For an element design (every row its own
PSU) the within-stratum sum of squares needs one more pass, Σ_hd (w y - ȳ_d w)², computed in
one reused buffer. The variance is then R's ``svyrecvar`` for one stage with replacement:

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


def _code_range(table: Table, name: str | None, n: int) -> tuple[npt.NDArray[Any], int, int] | None:
    """(column, lowest value, number of values in the range) for an integer-valued column."""
    if name is None:
        return np.zeros(0, dtype=np.int64), 0, 1
    col = _numeric(table, name)
    if col is None:
        return None
    lo, hi = col.min(), col.max()
    if col.dtype.kind == "f":
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None
        if not np.array_equal(col, np.floor(col)):
            return None
    span = int(hi) - int(lo) + 1
    if span > max(4 * n, 1024):
        return None
    return col, int(lo), span


def _cell_index(n: int, parts: list[tuple[npt.NDArray[Any], int, int]]) -> IntArray:
    """Mixed-radix cell index of several integer code columns (outermost first)."""
    key = np.zeros(n, dtype=np.int64)
    offset = 0
    first = True
    for col, lo, span in parts:
        if len(col) == 0:
            continue
        if first:
            np.copyto(key, col, casting="unsafe")
            first = False
        else:
            key *= span
            np.add(key, col, out=key, casting="unsafe")
        offset = offset * span + lo
    # parts without a column (span 1) do not change the radix
    if offset:
        key -= offset
    return key


def domain_means(spec: Spec, table: Table, e: EstimateSpec) -> EstimateResult | None:
    """The domain means of ``e`` with their covariance, or None to use the general path."""
    ds = spec.design
    n = table.n
    assert isinstance(e.variable, str)
    assert ds.weights is not None
    y = _numeric(table, e.variable)
    w = _numeric(table, ds.weights)
    if y is None or w is None or n < 2:
        return None
    wmin, wmax = float(w.min()), float(w.max())
    if not (wmin > 0 and math.isfinite(wmax)):
        return None  # zero, negative or missing weights: general path
    ymin, ymax = float(y.min()), float(y.max())
    if not (math.isfinite(ymin) and math.isfinite(ymax)):
        return None  # missing values: general path
    if e.statistic == "proportion" and (ymin < 0 or ymax > 1):
        return None  # the general path reports the error
    element = not ds.ids
    psu = None if element else _code_range(table, ds.ids[0], n)
    strata = _code_range(table, ds.strata, n)
    dom = _code_range(table, e.by[0] if e.by else None, n)
    if strata is None or dom is None or (not element and psu is None):
        return None
    cr = 1 if psu is None else psu[2]
    hr, dr = strata[2], dom[2]
    ncells = cr * hr * dr
    if ncells > MAX_CELLS:
        return None
    parts = [p for p in (psu, strata, dom) if p is not None]
    key = _cell_index(n, parts)
    wf = w.astype(np.float64, copy=False)
    wy = np.multiply(wf, y, dtype=np.float64)
    sw = np.bincount(key, weights=wf, minlength=ncells).reshape(cr, hr, dr)
    swy = np.bincount(key, weights=wy, minlength=ncells).reshape(cr, hr, dr)
    count = np.bincount(key, minlength=ncells).reshape(cr, hr, dr)
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
        # Σ_hd (w y - ȳ_d w)² with one reused buffer r: r = ȳ[cell]; r ·= w; r = w y - r; r²
        table_theta = np.zeros((hr, dr))
        table_theta[:, dlev] = theta
        r = np.take(table_theta.reshape(-1), key)
        np.multiply(r, wf, out=r)
        np.subtract(wy, r, out=r)
        np.multiply(r, r, out=r)
        del wy
        ss = np.bincount(key, weights=r, minlength=hr * dr).reshape(hr, dr)[hlev][:, dlev]
        del r, key
        s = (swy[0][:, dlev] - sw[0][:, dlev] * theta[None, :])[hlev] / big_n[None, :]
        scale = n_h / (n_h - 1)
        cov = -(s * (scale / n_h)[:, None]).T @ s
        cov[np.diag_indices(nd)] += (scale[:, None] * ss).sum(axis=0) / big_n**2
        npsu_d = count[0][:, dlev].sum(axis=0)
        nstr_d = present[0][:, dlev].sum(axis=0)
    else:
        del key, wy
        ch = present.any(axis=2)  # (psu, stratum) pairs with rows
        if ds.nest:
            psu_rows, psu_strat = np.nonzero(ch)  # a PSU is a (psu, stratum) pair
        else:
            per_psu = ch.sum(axis=1)
            if (per_psu > 1).any():
                return None  # not nested: the general path errors
            psu_rows = np.flatnonzero(per_psu)
            psu_strat = ch[psu_rows].argmax(axis=1)
        if len(psu_rows) < 2:
            return None
        a = swy[psu_rows, psu_strat][:, dlev]
        b = sw[psu_rows, psu_strat][:, dlev]
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
        in_dom = present[psu_rows, psu_strat][:, dlev]  # the PSU has rows of the domain
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
