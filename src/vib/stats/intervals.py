"""Confidence intervals: normal and t for every estimator, and the closed-form svyciprop
methods for proportions ("logit" and "likelihood", which R derives from a svyglm fit, are in
likelihood.py). scipy is used only for distribution functions: its special functions directly
(the very functions ``scipy.stats`` evaluates, without its per-call argument handling, which
cost more than the rest of an interval)."""

from __future__ import annotations

import math

from scipy import special, stats


def tquantile(prob: float, df: float) -> float:
    """R's qt(prob, df): the normal quantile for df = Inf."""
    if math.isinf(df):
        return float(special.ndtri(prob))  # stats.norm.ppf
    if df <= 0:
        return math.nan
    return float(special.stdtrit(df, prob))  # stats.t.ppf


def wald(est: float, se: float, df: float, level: float) -> tuple[float, float]:
    q = tquantile(1 - (1 - level) / 2, df)
    return est - q * se, est + q * se


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def proportion_ci(
    method: str, p: float, var: float, df: float, level: float, design_df: float, nrow: int
) -> tuple[float, float]:
    """svyciprop's interval for proportion ``p`` with variance ``var``.

    ``df`` is the degrees of freedom used for the quantile (design df, or inf for
    normal); ``design_df`` and ``nrow`` are degf(design) and nrow(design), which the
    "beta" method uses whatever df is.
    """
    if any(math.isnan(v) for v in (p, var)):
        return math.nan, math.nan
    se = math.sqrt(var)
    alpha = 1 - level
    if method == "mean":
        return wald(p, se, df, level)
    if method == "xlogit":
        if p <= 0 or p >= 1:
            return math.nan, math.nan
        eta = math.log(p / (1 - p))
        lo, hi = wald(eta, se / (p * (1 - p)), df, level)
        return _expit(lo), _expit(hi)
    if method == "asin":
        if p <= 0 or p >= 1:
            return math.nan, math.nan
        eta = math.asin(math.sqrt(p))
        lo, hi = wald(eta, se / (2 * math.sqrt(p * (1 - p))), df, level)
        return math.sin(lo) ** 2, math.sin(hi) ** 2
    if var <= 0:
        return math.nan, math.nan
    n_eff = p * (1 - p) / var
    if method == "beta":
        ratio = tquantile(alpha / 2, nrow - 1) / tquantile(alpha / 2, design_df)
        n_eff = n_eff * ratio**2
        # stats.beta.ppf(q, a, b) is special.betaincinv(a, b, q)
        lo = special.betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2) if p > 0 else 0.0
        hi = special.betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2) if p < 1 else 1.0
        return float(lo), float(hi)
    if method == "wilson":
        z = tquantile(1 - alpha / 2, df)
        z2 = z * z
        centre = p + z2 / (2 * n_eff)
        half = z * math.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff**2))
        den = 1 + z2 / n_eff
        return (centre - half) / den, (centre + half) / den
    raise ValueError(method)


def t_pvalue(t: float, df: float) -> float:
    if math.isnan(t):
        return math.nan
    if math.isinf(df):
        return float(2 * stats.norm.sf(abs(t)))
    return float(2 * stats.t.sf(abs(t), df))
