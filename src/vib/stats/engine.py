"""run_spec: the Python entry point of the analysis spec."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import chunks, fastpath
from .calibration import calibrate
from .data import Table, read_table, referenced_names
from .design import build_design
from .errors import StatsError
from .estimators import (
    Context,
    EstimateResult,
    drop_empty_domains,
    estimate,
    glm_intervals,
    make_domains,
    resolve_variable,
    subset_mask,
)
from .intervals import proportion_ci, t_pvalue, wald
from .replicates import build_replicates, replicate_degf
from .spec import EstimateSpec, Spec, parse_spec
from .tests_ import chisq, ttest


def _clean(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    return v


def _clean_floats(x: np.ndarray) -> list[float | None]:
    """A float column as a JSON list, None where not finite (as ``_clean``, without its
    per-value type dispatch)."""
    finite = np.isfinite(x)
    values: list[float | None] = np.where(finite, x, 0.0).tolist()
    if not finite.all():
        for i in np.flatnonzero(~finite).tolist():
            values[i] = None
    return values


def build_context(spec: Spec, table: Table) -> Context:
    design = build_design(spec.design, table)
    w = design.weights
    rep = None
    if spec.replicates is not None:
        rep = build_replicates(spec.replicates, design, table, w, spec.design.strata)
    cal = calibrate(spec.calibration, table, w, None if rep is None else rep.weights)
    if rep is not None and cal.rep_weights is not None:
        rep.weights = cal.rep_weights
        if cal.rep_weights_for_df is not None:
            rep.df = replicate_degf(cal.rep_weights_for_df)
    if spec.calibration:
        design.prob = np.where(
            cal.weights == 0, np.inf, 1.0 / np.where(cal.weights == 0, 1, cal.weights)
        )
    sub = subset_mask(table, spec.subset) if spec.subset is not None else None
    return Context(
        table, design, cal.weights, cal.residualizers, rep, sub, calibrated=bool(spec.calibration)
    )


def _estimate(ctx: Context, e: EstimateSpec, where: str) -> EstimateResult:
    domains = make_domains(ctx.table, e.by, f"{where}.by")
    if e.by:
        # as R's svyby: a domain without rows of non-zero weight in the subset has no row
        domains = drop_empty_domains(domains, ctx.in_subset() & (ctx.weights != 0))
    levels = None
    if e.statistic == "ratio":
        assert e.numerator is not None
        assert e.denominator is not None
        num = resolve_variable(ctx.table, e.numerator, f"{where}.numerator", numeric_only=True)
        den = resolve_variable(ctx.table, e.denominator, f"{where}.denominator", numeric_only=True)
        y = num.values
        x = den.values[:, 0]
        na = np.isnan(y[:, 0]) | np.isnan(x)
        res = estimate(
            ctx,
            "ratio",
            np.where(na[:, None], 0.0, y),
            np.where(na, 0.0, x),
            na,
            e.na_rm,
            domains,
            e.deff,
        )
    else:
        assert e.variable is not None
        var = resolve_variable(
            ctx.table,
            e.variable,
            f"{where}.variable",
            numeric_only=False,
            proportion=e.statistic == "proportion",
        )
        levels = var.levels
        y = var.values
        na = np.isnan(y).any(axis=1)
        kind = "total" if e.statistic == "total" else "mean"
        res = estimate(ctx, kind, y, None, na, e.na_rm, domains, e.deff)
        if e.statistic == "proportion" and e.ci in ("likelihood", "logit"):
            res.extra["ci"] = glm_intervals(ctx, e.ci, y, na, domains, e.level, False, res.df)
    if levels is not None:
        nlev = len(levels)
        res.labels = [(lab, levels[j % nlev]) for j, (lab, _) in enumerate(res.labels)]
    return res


def _rows(e: EstimateSpec, res: EstimateResult) -> list[dict[str, Any]]:
    rows = []
    for j, (dom, level) in enumerate(res.labels):
        est = float(res.estimate[j])
        var = float(res.cov[j, j]) if math.isfinite(est) else math.nan
        se = math.sqrt(var) if var >= 0 else math.nan
        df = res.df[j]
        qdf = math.inf if e.ci == "normal" else float(df)
        if "ci" in res.extra:
            lo, hi = (
                res.extra["ci"][j]
                if math.isfinite(est) and math.isfinite(var)
                else (math.nan, math.nan)
            )
        elif e.statistic == "proportion" and e.ci not in ("t", "normal"):
            lo, hi = proportion_ci(e.ci, est, var, qdf, e.level, float(df), res.nrow_design[j])
        else:
            lo, hi = wald(est, se, qdf, e.level)
        rows.append(
            {
                "domain": dom,
                "level": level,
                "estimate": est,
                "se": se,
                "df": df,
                "ci_method": e.ci,
                "ci_low": lo,
                "ci_high": hi,
                "deff": None if res.deff is None else float(res.deff[j]),
                "n": res.n[j],
            }
        )
    return rows


def _run_fast(spec: Spec, table: Table) -> dict[str, Any] | None:
    """The single-pass path (``fastpath``) when every estimate qualifies, else None."""
    if not fastpath.eligible(spec):
        return None
    out_estimates = []
    for e in spec.estimates:
        res = fastpath.domain_means(spec, table, e)
        if res is None:
            return None
        out_estimates.append({"id": e.id, "statistic": e.statistic, "rows": _rows(e, res)})
    return _clean({"estimates": out_estimates, "contrasts": [], "tests": [], "weights": None})


def run_table(spec: Spec, table: Table, *, fast: bool = True) -> dict[str, Any]:
    """Run a parsed spec on in-memory columns. ``fast=False`` forces the general path."""
    chunks.threads()  # a bad VIB_STATS_THREADS is an error for every analysis, not only some
    if fast:
        out = _run_fast(spec, table)
        if out is not None:
            return out
    ctx = build_context(spec, table)
    out_estimates = []
    results: dict[str, EstimateResult] = {}
    for i, e in enumerate(spec.estimates):
        res = _estimate(ctx, e, f"estimates[{i}]")
        results[e.id] = res
        out_estimates.append({"id": e.id, "statistic": e.statistic, "rows": _rows(e, res)})
    out_contrasts = []
    for i, c in enumerate(spec.contrasts):
        res = results[c.of]
        coef = np.asarray(c.coefficients)
        if len(coef) != len(res.estimate):
            raise StatsError(
                f"needs {len(res.estimate)} coefficients (one per row of "
                f"{c.of!r}), got {len(coef)}",
                f"contrasts[{i}].coefficients",
            )
        est = float(coef @ res.estimate)
        var = float(coef @ res.cov @ coef)
        se = math.sqrt(var) if var >= 0 else math.nan
        df = ctx.df(ctx.subset)
        lo, hi = wald(est, se, float(df), c.level)
        tstat = est / se if se > 0 else math.nan
        out_contrasts.append(
            {
                "id": c.id,
                "estimate": est,
                "se": se,
                "df": df,
                "ci_low": lo,
                "ci_high": hi,
                "p_value": t_pvalue(tstat, float(df)),
            }
        )
    out_tests = []
    for i, t in enumerate(spec.tests):
        r = ttest(ctx, t, f"tests[{i}]") if t.type == "ttest" else chisq(ctx, t, f"tests[{i}]")
        if t.id is not None:
            r = {"id": t.id, **r}
        out_tests.append(r)
    return _clean(
        {
            "estimates": out_estimates,
            "contrasts": out_contrasts,
            "tests": out_tests,
            "weights": None,
        }
    ) | {"weights": _clean_floats(ctx.weights) if spec.output_weights else None}


def run_spec(spec_dict: dict[str, Any], base_dir: str | Path = ".") -> dict[str, Any]:
    """Run an analysis spec (a parsed JSON object) and return the result object.

    Raises StatsError with the offending field or column named.
    """
    spec = parse_spec(spec_dict)
    path = Path(spec.data)
    if not path.is_absolute():
        path = Path(base_dir) / path
    table = read_table(path, referenced_names(spec_dict))
    return run_table(spec, table)
