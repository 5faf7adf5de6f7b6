"""svyciprop(method = "likelihood") exactly as R computes it.

R does not solve for the interval: it fits ``svyglm(y ~ 1, family = quasibinomial)`` by
iteratively reweighted least squares (glm.fit, converged to a relative deviance change of
1e-8), profiles the scaled deviance on a grid of at most nine steps each side of the estimate
(MASS's profile.glm as survey's ``MASSprofile_glm``), interpolates that profile with an FMM
cubic spline (``spline()``) and reads the interval off it by linear interpolation
(``approx()``). The result therefore depends on the grid and the spline, and differs from the
exact root of the deviance equation in the fifth or sixth digit; matching R to 1e-9 means
following the same steps, which this module does:

1. prior weights W = w / mean(w) over the rows of the (subset) design (``rescale = TRUE``);
2. IRLS from mustart = (W y + 1/2)/(W + 1) for the intercept b̂ (not exactly logit(p̂));
3. std.err = design SE of b̂ (influence W (y - μ̂) / (μ'(b̂) Σ W), the svyglm sandwich);
   naive variance 1 / Σ W μ(1 - μ) with μ from the start of the last IRLS iteration;
   λ = design variance / naive variance;
4. dispersion φ = svyvar of the Pearson residuals (y - μ̂) / √(μ̂(1 - μ̂)) (R's
   residuals.svyglm cancels the prior weight W against the sampling weight);
5. alpha = Φ(t_{(1-level)/2, df} √λ)/2, zmax = √F⁻¹(1 - alpha; 1, n - 1),
   step = zmax/5;
6. for k = 1..9 each side while |z| < zmax: b = b̂ ± k · step · std.err,
   z = ±√(ΔDeviance(b)/φ);
7. spline(b, z) on 3 * (number of points) equally spaced b, then approx(z, b) at
   ±Φ⁻¹(2 alpha), and expit.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats

from .design import FloatArray

THRESH = 30.0
EPS = float(np.finfo(float).eps)


def _linkinv(eta: float) -> float:
    """R's logit_linkinv (C): clamps eta beyond +-30."""
    if eta < -THRESH:
        tmp = EPS
    elif eta > THRESH:
        tmp = 1.0 / EPS
    else:
        tmp = math.exp(eta)
    return tmp / (1.0 + tmp)


def _mu_eta(eta: float) -> float:
    if eta > THRESH or eta < -THRESH:
        return EPS
    opexp = 1.0 + math.exp(eta)
    return math.exp(eta) / (opexp * opexp)


def _dev(y: FloatArray, mu: FloatArray | float, wt: FloatArray) -> float:
    """sum of binomial()$dev.resids(y, mu, wt)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y != 0, y * np.log(y / mu), 0.0)
        b = np.where(1 - y != 0, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    return float(np.sum(2 * wt * (a + b)))


def _linkinv_v(eta: FloatArray) -> FloatArray:
    tmp = np.where(
        eta < -THRESH, EPS, np.where(eta > THRESH, 1.0 / EPS, np.exp(np.clip(eta, -THRESH, THRESH)))
    )
    return np.asarray(tmp / (1.0 + tmp))


def _mu_eta_v(eta: FloatArray) -> FloatArray:
    e = np.exp(np.clip(eta, -THRESH, THRESH))
    opexp = 1.0 + e
    return np.asarray(np.where((eta > THRESH) | (eta < -THRESH), EPS, e / (opexp * opexp)))


def _working_weight_sum(eta: FloatArray, wt: FloatArray) -> float:
    """Sum of W mu'(eta)^2 / V(mu): 1 / summary(glm)$cov.unscaled of the intercept-only fit."""
    me = _mu_eta_v(eta)
    mu = _linkinv_v(eta)
    ok = (wt > 0) & (me != 0)
    return float(np.sum(wt[ok] * me[ok] ** 2 / (mu[ok] * (1 - mu[ok]))))


def irls_intercept(
    y: FloatArray, wt: FloatArray, epsilon: float = 1e-8, maxit: int = 25
) -> tuple[float, FloatArray]:
    """glm.fit(y ~ 1, weights = wt, family = quasibinomial): the intercept and the linear
    predictor at the start of the last iteration (whose working weights glm keeps)."""
    y = np.where(wt == 0, 0.0, y)
    good = wt > 0
    mustart = (wt * y + 0.5) / (wt + 1)
    eta: FloatArray = np.log(mustart / (1 - mustart))
    mu = _linkinv_v(eta)
    devold = _dev(y, mu, wt)
    coef = math.nan
    eta_used = eta
    for _ in range(maxit):
        eta_used = eta
        me = _mu_eta_v(eta)
        ok = good & (me != 0)
        z = eta[ok] + (y[ok] - mu[ok]) / me[ok]
        ww = wt[ok] * me[ok] ** 2 / (mu[ok] * (1 - mu[ok]))
        coef = float(np.sum(ww * z) / np.sum(ww))
        eta = np.full(len(y), coef)
        mu = _linkinv_v(eta)
        dev = _dev(y, mu, wt)
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            break
        devold = dev
    return coef, eta_used


def fmm_spline(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Coefficients of R's spline(method = "fmm") (Forsythe, Malcolm and Moler: the end
    third derivatives match those of the cubics through the first and last four points)."""
    n = len(x)
    b = np.zeros(n)
    c = np.zeros(n)
    d = np.zeros(n)
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
        return b, c, d
    last = n - 1
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, last):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0] = -d[0]
    b[last] = -d[n - 2]
    c[0] = c[last] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[last] = c[n - 2] / (x[last] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[last] = -c[last] * d[n - 2] * d[n - 2] / (x[last] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] -= t * d[i - 1]
        c[i] -= t * c[i - 1]
    c[last] /= b[last]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[last] = (y[last] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[last])
    for i in range(last):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[last] = 3.0 * c[last]
    d[last] = d[n - 2]
    return b, c, d


def spline(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """R's spline(x, y): the FMM spline at 3n equally spaced points over range(x)."""
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    n = len(x)
    b, c, d = fmm_spline(x, y)
    nout = 3 * n
    u = np.empty(nout)
    u[0], u[-1] = x[0], x[-1]
    by = (x[-1] - x[0]) / (nout - 1)
    for i in range(1, nout - 1):
        u[i] = x[0] + i * by if i < nout // 2 else x[-1] - (nout - 1 - i) * by
    idx = np.clip(np.searchsorted(x, u, side="right") - 1, 0, n - 1)
    dx = u - x[idx]
    return u, y[idx] + dx * (b[idx] + dx * (c[idx] + dx * d[idx]))


def approx(x: FloatArray, y: FloatArray, xout: float) -> float:
    """R's approx(x, y, xout) (linear, rule = 1; ties averaged)."""
    ux, inv = np.unique(x, return_inverse=True)
    uy = np.bincount(inv, weights=y) / np.bincount(inv)
    if not (ux[0] <= xout <= ux[-1]):
        return math.nan
    j = int(np.searchsorted(ux, xout, side="left"))
    if ux[j] == xout:
        return float(uy[j])
    i = j - 1
    return float(uy[i] + (uy[j] - uy[i]) * ((xout - ux[i]) / (ux[j] - ux[i])))


def likelihood_interval(  # noqa: C901, PLR0915
    y: FloatArray,
    w: FloatArray,
    mean_w: float,
    variance_of: Callable[[float, float], float],
    level: float,
    df: float,
    resid_scale: float = 1.0,
) -> tuple[float, float]:
    """R's svyciprop(method = "likelihood") interval.

    ``y`` and ``w`` are the outcome (in [0, 1]) and sampling weight of the rows R's glm sees
    (the non-missing rows of the (subset) design, weight 0 outside the domain of a
    calibrated design); ``mean_w`` the mean weight over the rows of that design;
    ``variance_of(mu, scale)`` the design variance of the total of w (y - mu) / scale over
    those rows; ``df`` the degrees of freedom (inf for normal); ``resid_scale`` the ratio
    of the mean weight over the design without the rows missing y to ``mean_w`` (1 when no
    row misses y): survey's residuals.svyglm divides the prior weight (rescaled over the
    whole design) by the sampling weight rescaled over the design the glm kept.
    """
    if len(y) < 2:
        return math.nan, math.nan
    wt = w / mean_w
    b0, eta_used = irls_intercept(y, wt)
    if not math.isfinite(b0):
        return math.nan, math.nan
    mu0 = _linkinv(b0)
    good = wt > 0
    n_w = float(np.sum(w[good]))
    var_b = variance_of(mu0, _mu_eta(b0) * n_w)
    if not var_b > 0:
        return math.nan, math.nan
    naive = 1.0 / _working_weight_sum(eta_used, wt)
    lam = var_b / naive
    std_err = math.sqrt(var_b)
    # dispersion: svyvar of the Pearson residuals over the rows with non-zero weight; R's
    # residuals.svyglm(type = "pearson") multiplies by sqrt(prior weight / rescaled sampling
    # weight), a constant (1 without missing values): the residuals carry no weight of their
    # own (the weighting is svyvar's). With missing values we follow survey 4.5, which keeps
    # the two weights aligned (4.1.1 removes the missing rows twice; docs/statistics.md).
    pos = w != 0
    r = (y[pos] - mu0) * math.sqrt(resid_scale) / math.sqrt(mu0 * (1 - mu0))
    wp = w[pos]
    npos = len(wp)
    rbar = float(np.sum(wp * r) / np.sum(wp))
    phi = float(np.sum(wp * ((r - rbar) ** 2 * npos / (npos - 1))) / np.sum(wp))
    if not phi > 0:  # every residual equal (a proportion of 0 or 1): no profile to follow
        return math.nan, math.nan
    if math.isinf(df):
        two_alpha = float(stats.norm.cdf(stats.norm.ppf((1 - level) / 2) * math.sqrt(lam)))
    elif df <= 0:
        return math.nan, math.nan
    else:
        two_alpha = float(stats.norm.cdf(stats.t.ppf((1 - level) / 2, df) * math.sqrt(lam)))
    alpha = two_alpha / 2
    # zmax = sqrt(F⁻¹(1 - alpha; 1, n - 1)) = the upper alpha/2 quantile of t(n - 1): scipy's
    # f.isf gives inf for alpha below ~1e-100, which a small df and a large design effect reach
    zmax = float(stats.t.isf(alpha / 2, len(y) - 1))
    step_size = zmax / 5
    s1 = float(np.sum(wt * y))
    s0 = float(np.sum(wt * (1 - y)))

    def delta_dev(b: float) -> float:
        m = _linkinv(b)
        t1 = s1 * math.log(mu0 / m) if s1 else 0.0
        t0 = s0 * math.log((1 - mu0) / (1 - m)) if s0 else 0.0
        return 2.0 * (t1 + t0)

    bs = [b0]
    zs = [0.0]
    for sgn in (-1.0, 1.0):
        step = 0
        z = 0.0
        while True:
            step += 1
            if not (step < 10 and abs(z) < zmax):
                break
            b = b0 + sgn * step * step_size * std_err
            zz = delta_dev(b) / phi
            if zz <= -0.001:
                return math.nan, math.nan  # R: profiling has found a better solution
            z = sgn * math.sqrt(max(zz, 0.0))
            bs.append(b)
            zs.append(z)
    order = np.argsort(np.asarray(zs), kind="stable")
    sx, sy = spline(np.asarray(bs)[order], np.asarray(zs)[order])
    cut = float(stats.norm.ppf(two_alpha))
    lo = approx(sy, sx, cut)
    hi = approx(sy, sx, -cut)

    def expit(e: float) -> float:
        return math.exp(e) / (1 + math.exp(e)) if math.isfinite(e) else math.nan

    return expit(lo), expit(hi)


def logit_interval(
    y: FloatArray,
    w: FloatArray,
    mean_w: float,
    variance_of: Callable[[float, float], float],
    level: float,
    df: float,
    resid_scale: float = 1.0,
) -> tuple[float, float]:
    """R's svyciprop(method = "logit"): the Wald interval of the svyglm intercept b̂ (fitted by
    IRLS, so logit(p̂) only to glm's tolerance) with its sandwich SE, back-transformed:
    expit(b̂ ± t_{df, (1+level)/2} SE(b̂)) (confint.svyglm, method = "Wald")."""
    if len(y) < 1 or df <= 0:
        return math.nan, math.nan
    wt = w / mean_w
    b0, _ = irls_intercept(y, wt)
    if not math.isfinite(b0):
        return math.nan, math.nan
    n_w = float(np.sum(w[wt > 0]))
    var_b = variance_of(_linkinv(b0), _mu_eta(b0) * n_w)
    q = (
        float(stats.norm.ppf((1 + level) / 2))
        if math.isinf(df)
        else float(-stats.t.ppf((1 - level) / 2, df))
    )
    half = q * math.sqrt(var_b)

    def expit(e: float) -> float:
        return math.exp(e) / (1 + math.exp(e))

    return expit(b0 - half), expit(b0 + half)
