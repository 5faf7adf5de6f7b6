"""Hypothesis tests: the design-based t-test (svyttest) and the Rao-Scott chi-square
(svychisq, statistics "F" and "Chisq")."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from .design import FloatArray
from .errors import StatsError
from .estimators import (
    Context,
    Domains,
    estimate,
    make_domains,
    missing_mask,
    resolve_variable,
)
from .intervals import t_pvalue
from .spec import Condition, TestSpec, Variable


def ttest(ctx: Context, t: TestSpec, where: str) -> dict[str, Any]:
    assert t.variable is not None
    assert t.group is not None
    var = resolve_variable(ctx.table, t.variable, f"{where}.variable", numeric_only=True)
    y = var.values
    na = np.isnan(y[:, 0])
    gcol = ctx.table.get(t.group, f"{where}.group")
    gmiss = missing_mask(gcol)
    rows = ctx.in_subset() & ~na & ~gmiss
    doms = make_domains(ctx.table, [t.group], f"{where}.group")
    codes = np.where(rows, doms.codes, -1)
    used = sorted(set(codes[codes >= 0].tolist()))
    if len(used) != 2:
        raise StatsError(
            f"group column {t.group!r} must have exactly two levels (it has {len(used)})",
            f"{where}.group",
        )
    remap = np.full(len(doms.labels), -1, dtype=np.int64)
    remap[used] = [0, 1]
    d2 = Domains(
        np.where(codes >= 0, remap[np.maximum(codes, 0)], -1), [doms.labels[i] for i in used]
    )
    res = estimate(ctx, "mean", np.where(na[:, None], 0.0, y), None, na | gmiss, True, d2, False)
    diff = float(res.estimate[1] - res.estimate[0])
    v = res.cov
    vdiff = float(v[0, 0] + v[1, 1] - 2 * v[0, 1])
    se = math.sqrt(vdiff) if vdiff >= 0 else math.nan
    # svyttest: degf() of the (subset) design minus one; R's [ recomputes the degf of a
    # replicate design for the subset
    df = (
        ctx.df(ctx.design_rows(rows) & rows) - 1
        if ctx.replicates is None
        else ctx.replicates.df_rows(ctx.subset) - 1
    )
    stat = diff / se if se > 0 else math.nan
    return {
        "type": "ttest",
        "statistic": stat,
        "df": df,
        "ddf": None,
        "p_value": t_pvalue(stat, df),
        "estimate": diff,
        "se": se,
    }


def _factor(ctx: Context, v: Variable, where: str) -> tuple[np.ndarray, list[Any], np.ndarray]:
    if isinstance(v, Condition):
        vals = resolve_variable(ctx.table, v, where, numeric_only=True).values[:, 0]
        miss = np.isnan(vals)
        return np.where(miss, 0, vals).astype(np.int64), [0, 1], miss
    col = ctx.table.get(v, where)
    miss = missing_mask(col)
    doms = make_domains(ctx.table, [v], where)
    return np.maximum(doms.codes, 0), [lab[v] for lab in doms.labels], miss


def chisq(ctx: Context, t: TestSpec, where: str) -> dict[str, Any]:
    (a, alev, amiss), (b, blev, bmiss) = (
        _factor(ctx, v, f"{where}.variables[{i}]") for i, v in enumerate(t.variables)
    )
    sub = ctx.in_subset()
    design_rows = ctx.design_rows(sub)
    # levels seen in the (subset) design
    rows_ok = design_rows & ~amiss
    ar = sorted(set(a[rows_ok].tolist()))
    br = sorted(set(b[design_rows & ~bmiss].tolist()))
    nr, nc = len(ar), len(br)
    if nr < 2 or nc < 2:
        raise StatsError("each variable needs at least two levels", f"{where}.variables")
    amap = np.full(len(alev), -1)
    amap[ar] = np.arange(nr)
    bmap = np.full(len(blev), -1)
    bmap[br] = np.arange(nc)
    na = amiss | bmiss
    cell = np.where(na, 0, amap[a] + nr * bmap[b])  # row index fastest, as interaction()
    y = (cell[:, None] == np.arange(nr * nc)[None, :]).astype(float)
    one = Domains(np.zeros(ctx.table.n, dtype=np.int64), [{}])
    res = estimate(ctx, "mean", y, None, na, True, one, False)
    mean2 = res.estimate
    vmat = res.cov
    big_n = int(design_rows.sum())
    if ctx.replicates is not None:
        nu = ctx.replicates.df_rows(ctx.subset)
    else:
        st = ctx.design.stages[0]
        nu = len(np.unique(st.cluster[design_rows])) - len(np.unique(st.strata[design_rows]))
    # Pearson X^2 on the weighted table scaled to N
    ok = sub & ~na
    tab = np.bincount(cell[ok], weights=ctx.weights[ok], minlength=nr * nc)
    tab = tab * big_n / tab.sum()
    tab2 = tab.reshape(nc, nr).T
    expct = np.outer(tab2.sum(1), tab2.sum(0)) / tab2.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.nansum((tab2 - expct) ** 2 / expct))
    rows_i = np.tile(np.arange(nr), nc)
    cols_i = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack(
        [np.ones(nr * nc)]
        + [(rows_i == i).astype(float) for i in range(1, nr)]
        + [(cols_i == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack(
        [((rows_i == i) & (cols_i == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    beta, *_ = np.linalg.lstsq(x1, inter, rcond=None)
    cmat = inter - x1 @ beta
    with np.errstate(divide="ignore"):
        idiag = np.where(mean2 == 0, 0.0, 1.0 / mean2)
    denom = cmat.T @ (cmat * (idiag / big_n)[:, None])
    numr = (cmat * idiag[:, None]).T @ vmat @ (cmat * idiag[:, None])
    delta: FloatArray = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    if t.statistic == "F":
        stat = x2 / tr
        return {
            "type": "chisq",
            "statistic": stat,
            "df": d0,
            "ddf": d0 * nu,
            "p_value": float(stats.f.sf(stat, d0, d0 * nu)),
            "method": "F",
        }
    df = (nr - 1) * (nc - 1)
    return {
        "type": "chisq",
        "statistic": x2,
        "df": df,
        "ddf": None,
        "p_value": float(stats.chi2.sf(x2 / (tr / df), df)),
        "method": "Chisq",
    }
