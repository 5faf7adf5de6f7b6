"""Estimators (total, mean, proportion, ratio) with domains, as R's svytotal, svymean,
svyratio and svyby, linearised or with replicate weights."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .calibration import Residualizer
from .data import Table, missing_mask
from .design import BoolArray, Design, FloatArray, IntArray, degf, degf_by_domain, factorize
from .errors import StatsError
from .replicates import ReplicateDesign, replicate_variance
from .spec import Condition, Variable
from .variance import Scores, svyrecvar, svyrecvar_by_column


@dataclass
class Context:
    """Everything an estimate needs: data, design, final weights and how to get variances."""

    table: Table
    design: Design
    weights: FloatArray
    residualizers: list[Residualizer]
    replicates: ReplicateDesign | None
    subset: BoolArray | None
    calibrated: bool

    def in_subset(self) -> BoolArray:
        return np.ones(self.table.n, dtype=bool) if self.subset is None else self.subset

    def df(self, rows: BoolArray | None) -> int:
        if self.replicates is not None:
            return self.replicates.df_rows(rows)
        return degf(self.design, rows)

    def design_rows(self, rows: BoolArray) -> BoolArray:
        """Rows R's (subset) design object still holds: a calibrated Taylor design keeps all
        rows (``[.survey.design2`` only zeroes the weights); a replicate design always drops
        the others (``[.svyrep.design``), calibrated or not."""
        keep_all = self.calibrated and self.replicates is None
        return np.ones(self.table.n, dtype=bool) if keep_all else rows


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_RELATIONS = {"==": operator.eq, "!=": operator.ne, **_ORDER}


def _as_number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise StatsError(
                f"value {v!r} cannot be compared with a numeric column", where
            ) from None
    return float(v)


def _compare(col: np.ndarray, op: str, value: Any, where: str) -> BoolArray:
    vals = list(value) if op == "in" else [value]
    if col.dtype.kind in "iuf":
        numbers = [_as_number(v, where) for v in vals]
        x = col.astype(float)
        with np.errstate(invalid="ignore"):
            if op == "in":
                return np.asarray(np.isin(x, np.asarray(numbers)))
            return np.asarray(_RELATIONS[op](x, numbers[0]))
    texts = [v if isinstance(v, str) else _fmt(v) for v in vals]
    if op == "in":
        wanted = set(texts)
        return np.array([v in wanted for v in col], dtype=bool)
    c = texts[0]
    if op in ("==", "!="):
        eq = np.array([v == c for v in col], dtype=bool)
        return eq if op == "==" else ~eq
    relation = _ORDER[op]
    return np.array([v is not None and relation(v, c) for v in col], dtype=bool)


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def condition_values(table: Table, cond: Condition, where: str) -> FloatArray:
    """0/1 indicator with NaN where the column is missing (as R's I(x == v))."""
    col = table.get(cond.column, f"{where}.column")
    out = _compare(col, cond.op, cond.value, where).astype(float)
    out[missing_mask(col)] = np.nan
    return out


def subset_mask(table: Table, cond: Condition) -> BoolArray:
    v = condition_values(table, cond, "subset")
    return np.asarray(v == 1.0)


@dataclass
class ResolvedVariable:
    values: FloatArray  # n x L, NaN where missing
    levels: list[Any] | None  # None for a numeric variable


def resolve_variable(
    table: Table, var: Variable, where: str, *, numeric_only: bool, proportion: bool = False
) -> ResolvedVariable:
    if isinstance(var, Condition):
        return ResolvedVariable(condition_values(table, var, where)[:, None], None)
    col = table.get(var, where)
    if col.dtype.kind in "iuf":
        x = col.astype(float, copy=False)
        if proportion:
            ok = ~np.isnan(x)
            if ((x[ok] < 0) | (x[ok] > 1)).any():
                raise StatsError(
                    f"column {var!r} must hold values between 0 and 1 for a proportion", where
                )
        return ResolvedVariable(x[:, None], None)
    if numeric_only:
        raise StatsError(f"column {var!r} is not numeric", where)
    miss = missing_mask(col)
    codes, levels = factorize(np.where(miss, "", col).astype(object) if miss.any() else col)
    if miss.any():
        # drop the placeholder level used for missing values
        present = sorted({v for v, m in zip(col.tolist(), miss.tolist(), strict=True) if not m})
        index = {v: i for i, v in enumerate(present)}
        codes = np.fromiter(
            (
                index.get(v, -1) if not m else -1
                for v, m in zip(col.tolist(), miss.tolist(), strict=True)
            ),
            dtype=np.int64,
            count=len(col),
        )
        levels = list(present)
    mat = (codes[:, None] == np.arange(len(levels))[None, :]).astype(float)
    mat[miss] = np.nan
    return ResolvedVariable(mat, list(levels))


@dataclass
class Domains:
    codes: IntArray  # -1 for rows in no domain
    labels: list[dict[str, Any]]


def make_domains(table: Table, by: list[str], where: str) -> Domains:
    n = table.n
    if not by:
        return Domains(np.zeros(n, dtype=np.int64), [{}])
    parts = []
    levels_all = []
    bad = np.zeros(n, dtype=bool)
    for b in by:
        col = table.get(b, where)
        miss = missing_mask(col)
        bad |= miss
        if miss.any():
            filled = col.copy()
            filled[miss] = col[~miss][0] if (~miss).any() else 0
            codes, levels = factorize(filled)
        else:
            codes, levels = factorize(col)
        parts.append(codes)
        levels_all.append(levels)
    combo = np.zeros(n, dtype=np.int64)
    for c, lv in zip(parts, levels_all, strict=True):
        combo = combo * len(lv) + c
    if bad.any():
        uniq, inv = np.unique(combo[~bad], return_inverse=True)
        codes = np.full(n, -1, dtype=np.int64)
        codes[~bad] = inv
    else:
        present = np.bincount(combo) > 0
        uniq = np.flatnonzero(present)
        codes = (np.cumsum(present) - 1)[combo]
    labels = []
    for u in uniq.tolist():
        rest = int(u)
        idx = []
        for lv in reversed(levels_all):
            idx.append(rest % len(lv))
            rest //= len(lv)
        idx.reverse()
        labels.append({b: levels_all[j][i] for j, (b, i) in enumerate(zip(by, idx, strict=True))})
    return Domains(codes, labels)


def drop_empty_domains(domains: Domains, rows: BoolArray) -> Domains:
    """The domains that have ``rows`` (R's svyby keeps the domains with rows of non-zero
    weight in the (subset) design and omits the others), codes renumbered."""
    inside = rows & (domains.codes >= 0)
    keep = np.bincount(domains.codes[inside], minlength=len(domains.labels)) > 0
    if keep.all():
        return domains
    remap = np.where(keep, np.cumsum(keep) - 1, -1)
    codes = np.where(domains.codes >= 0, remap[np.maximum(domains.codes, 0)], -1)
    labels = [lab for lab, k in zip(domains.labels, keep.tolist(), strict=True) if k]
    return Domains(codes.astype(np.int64, copy=False), labels)


@dataclass
class EstimateResult:
    """Point estimates (p = domains x levels), covariance, and per-row facts."""

    statistic: str
    estimate: FloatArray
    cov: FloatArray
    labels: list[tuple[dict[str, Any], Any]]
    n: list[int]
    df: list[int]
    nrow_design: list[int]
    deff: FloatArray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _ratio_parts(
    kind: str, y: FloatArray, x: FloatArray | None, w: FloatArray, dom: IntArray, ndom: int
) -> tuple[FloatArray, FloatArray]:
    """num (ndom x L) and den (ndom) for weights w; dom = -1 rows are excluded."""
    ok = dom >= 0
    d = dom[ok]
    wk = w[ok]
    nlev = y.shape[1]
    num = np.empty((ndom, nlev))
    for k in range(nlev):
        num[:, k] = np.bincount(d, weights=wk * y[ok, k], minlength=ndom)
    if kind == "total":
        den = np.ones(ndom)
    elif kind == "ratio":
        assert x is not None
        den = np.bincount(d, weights=wk * x[ok], minlength=ndom)
    else:
        den = np.bincount(d, weights=wk, minlength=ndom)
    return num, den


def estimate(  # noqa: PLR0912, PLR0915
    ctx: Context,
    kind: str,
    y: FloatArray,
    x: FloatArray | None,
    na: BoolArray,
    na_rm: bool,
    domains: Domains,
    deff: bool | str,
) -> EstimateResult:
    """kind: total | mean | ratio. y: n x L (NaN-free where not ``na``)."""
    n = ctx.table.n
    ndom = len(domains.labels)
    nlev = y.shape[1]
    p = ndom * nlev
    sub = ctx.in_subset()
    in_dom = (domains.codes >= 0) & sub
    est_rows = in_dom & ~na
    dom = np.where(est_rows, domains.codes, -1)
    yv = np.where(est_rows[:, None], y, 0.0)
    del y
    xv = None if x is None else np.where(est_rows, x, 0.0)
    w = ctx.weights
    num, den = _ratio_parts(kind, yv, xv, w, dom, ndom)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = num / den[:, None]
    # domains with missing values and na_rm false give NA, as R does
    nas_in_dom = np.bincount(domains.codes[in_dom & na], minlength=ndom) > 0
    if not na_rm:
        theta[nas_in_dom] = np.nan
    est = theta.reshape(p)
    present_cols: list[BoolArray] = []
    for d in range(ndom):
        rows_d = ctx.design_rows(est_rows & (domains.codes == d))
        present_cols.extend([rows_d] * nlev)
    present = ctx.design_rows(est_rows)
    if ctx.replicates is None:
        scores = _scores(kind, yv, xv, w, dom, theta, den, nlev, p)
        if ctx.residualizers:
            dense = scores.to_dense(n)
            for r in ctx.residualizers:
                dense = r.residualize(dense)
            scores = Scores(p, dense=dense)
        cov = svyrecvar_by_column(scores, ctx.design, present, present_cols)
    else:
        rd = ctx.replicates
        thetas = np.empty((rd.weights.shape[1], p))
        for rep in range(rd.weights.shape[1]):
            nr, dr = _ratio_parts(kind, yv, xv, rd.weights[:, rep], dom, ndom)
            with np.errstate(divide="ignore", invalid="ignore"):
                thetas[rep] = (nr / dr[:, None]).reshape(p)
        cov = replicate_variance(thetas, est, rd)
    if not na_rm:
        bad = np.repeat(nas_in_dom, nlev)
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
    labels = [(domains.labels[d], None) for d in range(ndom) for _ in range(nlev)]
    counts = np.bincount(dom[dom >= 0], minlength=ndom)
    dom_all = np.where(in_dom, domains.codes, -1)
    if ctx.replicates is None:
        df_d = degf_by_domain(ctx.design, dom_all, ndom)
    else:
        df_d = [ctx.replicates.df_rows(dom_all == d) for d in range(ndom)]
    if ctx.calibrated and ctx.replicates is None:
        nrow_d = [n] * ndom
    else:
        nrow_d = np.bincount(dom_all[dom_all >= 0], minlength=ndom).tolist()
    dfs = [int(x) for x in np.repeat(df_d, nlev)]
    nrows = [int(x) for x in np.repeat(nrow_d, nlev)]
    result = EstimateResult(
        kind, est, cov, labels, [int(c) for c in np.repeat(counts, nlev)], dfs, nrows
    )
    if deff:
        result.deff = _deff(kind, yv, xv, w, dom, theta, den, cov, ndom, nlev, deff)
    return result


def _scores(
    kind: str,
    yv: FloatArray,
    xv: FloatArray | None,
    w: FloatArray,
    dom: IntArray,
    theta: FloatArray,
    den: FloatArray,
    nlev: int,
    p: int,
) -> Scores:
    ok = dom >= 0
    d = np.where(ok, dom, 0)
    layers = []
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_den = np.where(den != 0, 1.0 / den, 0.0)
    wd = np.where(ok, w, 0.0)
    for k in range(nlev):
        col = d * nlev + k if nlev > 1 else d
        if kind == "total":
            val = wd * yv[:, k]
        elif kind == "ratio":
            assert xv is not None
            val = wd * (yv[:, k] - theta[d, k] * xv) * inv_den[d]
        else:
            val = wd * (yv[:, k] - theta[d, k]) * inv_den[d]
        layers.append((col, np.where(ok, val, 0.0)))
    return Scores(p, layers=layers)


def _deff(
    kind: str,
    yv: FloatArray,
    xv: FloatArray | None,
    w: FloatArray,
    dom: IntArray,
    theta: FloatArray,
    den: FloatArray,
    cov: FloatArray,
    ndom: int,
    nlev: int,
    mode: bool | str,
) -> FloatArray:
    out = np.empty(ndom * nlev)
    for d in range(ndom):
        rows = dom == d
        wr = w[rows]
        nobs = int(np.count_nonzero(wr))
        psum = float(wr.sum())
        if nobs == 0 or psum == 0:  # no rows with the variable in the domain: no deff
            out[d * nlev : (d + 1) * nlev] = np.nan
            continue
        for k in range(nlev):
            if kind == "mean":
                z = yv[rows, k] - theta[d, k]
            elif kind == "total":
                z = yv[rows, k]
            else:
                assert xv is not None
                z = (yv[rows, k] - theta[d, k] * xv[rows]) / den[d]
            zbar = float(np.sum(wr * z) / psum)
            var = (
                float(np.sum(wr * (z - zbar) ** 2) / psum) * nobs / (nobs - 1)
                if nobs > 1
                else np.nan
            )
            if kind == "mean":
                vsrs = var / nobs if mode == "replace" else var * (psum - nobs) / (psum * nobs)
                if mode != "replace" and psum < nobs:
                    vsrs = np.nan
            else:
                vsrs = (
                    var * psum**2 / nobs
                    if mode == "replace"
                    else var * psum**2 * (psum - nobs) / (psum * nobs)
                )
            j = d * nlev + k
            out[j] = cov[j, j] / vsrs if vsrs else np.nan
    return out


def glm_intervals(
    ctx: Context,
    method: str,
    y: FloatArray,
    na: BoolArray,
    domains: Domains,
    level: float,
    normal: bool,
    dfs: list[int],
) -> list[tuple[float, float]]:
    """svyciprop(method = "likelihood" | "logit"), which R derives from a quasibinomial
    svyglm, for every (domain, level) row, each on the domain's subset design as R's svyby
    does (see ``likelihood.py``)."""
    from .likelihood import likelihood_interval, logit_interval

    interval = likelihood_interval if method == "likelihood" else logit_interval

    n = ctx.table.n
    nlev = y.shape[1]
    sub = ctx.in_subset()
    w = ctx.weights
    out: list[tuple[float, float]] = []
    for d in range(len(domains.labels)):
        in_dom = (domains.codes == d) & sub
        rows_design = ctx.design_rows(in_dom)
        w_eff = np.where(in_dom, w, 0.0)
        mean_w = float(w_eff[rows_design].mean())
        fit = rows_design & ~na
        # residuals.svyglm: sampling weights rescaled over the design the glm kept (without
        # the rows missing y; a calibrated Taylor design keeps them with weight 0)
        resid_scale = 1.0
        if (rows_design & na).any():
            kept = rows_design.sum() if ctx.calibrated and ctx.replicates is None else fit.sum()
            resid_scale = float(w_eff[fit].sum()) / float(kept) / mean_w
        for k in range(nlev):
            yk = np.where(fit, y[:, k], 0.0)

            def variance_of(
                mu: float,
                scale: float,
                yk: FloatArray = yk,
                fit: BoolArray = fit,
                in_dom: BoolArray = in_dom,
                w_eff: FloatArray = w_eff,
            ) -> float:
                rows = fit & in_dom
                if ctx.replicates is not None:
                    rd = ctx.replicates
                    rw = rd.weights[rows]
                    with np.errstate(divide="ignore", invalid="ignore"):
                        pr = (rw * yk[rows, None]).sum(axis=0) / rw.sum(axis=0)
                        thetas = np.log(pr / (1 - pr))[:, None]
                    return float(
                        replicate_variance(thetas, np.array([math.log(mu / (1 - mu))]), rd)[0, 0]
                    )
                vals = np.where(rows, w_eff * (yk - mu) / scale, 0.0)
                scores = Scores(1, layers=[(np.zeros(n, dtype=np.int64), vals)])
                if ctx.residualizers:
                    dense = scores.to_dense(n)
                    for r in ctx.residualizers:
                        dense = r.residualize(dense)
                    scores = Scores(1, dense=dense)
                return float(svyrecvar(scores, ctx.design, ctx.design_rows(rows))[0, 0])

            df = math.inf if normal else float(dfs[d * nlev + k])
            out.append(interval(yk[fit], w_eff[fit], mean_w, variance_of, level, df, resid_scale))
    return out
