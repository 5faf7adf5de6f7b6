"""Taylor-linearisation variance for multistage stratified designs (R's svyrecvar).

Influence values ("scores") are summed to cluster totals with grouped sums
(``np.bincount``); there is no Python loop over rows, clusters or strata.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .design import BoolArray, Design, FloatArray, IntArray
from .errors import StatsError

SELF_REPRESENTING = 1e-7


@dataclass
class Scores:
    """An n x p matrix of influence values, either dense or as "layers".

    A layer is a pair (column index per row, value per row): every row adds its value to
    one column. Domain estimates are sparse this way (a row only touches its own domain).
    """

    p: int
    dense: FloatArray | None = None
    layers: list[tuple[IntArray, FloatArray]] | None = None

    def to_dense(self, n: int) -> FloatArray:
        if self.dense is not None:
            return self.dense
        out = np.zeros((n, self.p))
        rows = np.arange(n)
        for col, val in self.layers or []:
            out[rows, col] += val  # one entry per row in a layer: no index repeats
        return out

    def column(self, j: int, n: int) -> Scores:
        if self.dense is not None:
            return Scores(1, dense=self.dense[:, j : j + 1])
        layers = [
            (np.zeros(n, dtype=np.int64), np.where(col == j, val, 0.0))
            for col, val in self.layers or []
        ]
        return Scores(1, layers=layers)


def group_totals(scores: Scores, codes: IntArray, ngroups: int) -> FloatArray:
    p = scores.p
    if scores.dense is not None:
        x = scores.dense
        out = np.empty((ngroups, p))
        for j in range(p):
            out[:, j] = np.bincount(codes, weights=x[:, j], minlength=ngroups)
        return out
    flat = np.zeros(ngroups * p)
    for col, val in scores.layers or []:
        key = codes * p + col if p > 1 else codes
        flat += np.bincount(key, weights=val, minlength=ngroups * p)
    return flat.reshape(ngroups, p)


def _centred_crossprod(
    x: FloatArray, groups: IntArray, wgroup: FloatArray, centre: FloatArray
) -> FloatArray:
    """sum_i w_g(i) (x_i - c_g(i))(x_i - c_g(i))' for the rows x_i of ``x``.

    Centring before squaring (rather than subtracting n m m' afterwards) keeps the variance
    exact when the values are large and nearly equal: no catastrophic cancellation.
    """
    r = x - centre[groups]
    return np.asarray((r * wgroup[groups][:, None]).T @ r)


def _element_single_layer(
    cols: IntArray,
    vals: FloatArray,
    strata: IntArray,
    nstrata: int,
    p: int,
    w_h: FloatArray,
    coef: FloatArray,
    s: FloatArray,
) -> FloatArray:
    """The element-design crossproduct for sparse scores (one column per row), computed per
    (stratum, column) cell with centred sums of squares, so it is as exact as the dense path.

    Per cell g = (h, a) with n_g rows, mean v_g and the stratum's n_h rows:
        sum_{i in h} (x_ia - S_ha/n_h)^2 = sum_{i in g} (v_i - v_g)^2 + n_g (1 - c n_g/n_h) v_g^2
    where c is 1 for a centred stratum; the off-diagonal terms are -c S_ha S_hb / n_h.
    """
    key = strata * p + cols
    ncell = nstrata * p
    count = np.bincount(key, minlength=ncell).astype(float)
    total = np.bincount(key, weights=vals, minlength=ncell)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1.0), 0.0)
    resid = vals - mean[key]
    within = np.bincount(key, weights=resid * resid, minlength=ncell).reshape(nstrata, p)
    nh = np.bincount(strata, minlength=nstrata).astype(float)
    count2 = count.reshape(nstrata, p)
    mean2 = mean.reshape(nstrata, p)
    centred = coef > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(centred[:, None], count2 / np.maximum(nh, 1.0)[:, None], 0.0)
    between = count2 * (1.0 - share) * mean2 * mean2
    diag = ((within + between) * w_h[:, None]).sum(axis=0)
    q = -(s * coef[:, None]).T @ s
    np.fill_diagonal(q, diag)
    return np.asarray(q)


def svyrecvar(  # noqa: PLR0915
    scores: Scores, design: Design, present: BoolArray | None = None, one_stage: bool = False
) -> FloatArray:
    """Variance-covariance matrix of the totals of ``scores`` under ``design``.

    ``present`` marks the rows R would still hold in the (subset) design object: it decides
    which strata are visited (for lonely_psu "fail" and "average").
    """
    n = design.n
    p = scores.p
    v = np.zeros((p, p))
    lonely = design.lonely_psu
    call_mult = np.ones(1)  # multiplier per "call" (parent cluster); stage 1 has one call
    for k, st in enumerate(design.stages):
        if k > 0 and (one_stage or not design.has_fpc):
            break
        nh = st.sampsize
        big_n = st.popsize
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(np.isinf(big_n), 1.0, (big_n - nh) / big_n)
            scale = np.where(nh > 1, f * nh / np.maximum(nh - 1, 1), f)
        selfrep = f < SELF_REPRESENTING
        single = (nh == 1) & ~selfrep
        if present is None:
            visited = np.ones(st.nstrata, dtype=bool)
        else:
            visited = np.bincount(st.strata[present], minlength=st.nstrata) > 0
        if lonely == "fail" and (single & visited).any():
            h = int(np.argmax(single & visited))
            raise StatsError(
                f"stratum {h + 1} has only one PSU at stage {k + 1} (lonely_psu is 'fail')",
                "design.lonely_psu",
            )
        is_na = single & (lonely == "average")
        w_h = np.where(selfrep | is_na, 0.0, scale)
        centred = ~(single & (lonely == "adjust"))
        # the "call" (parent cluster) each stratum belongs to
        first_cluster = np.full(st.nstrata, 0, dtype=np.int64)
        first_cluster[st.cluster_stratum[::-1]] = np.arange(st.nclusters - 1, -1, -1)
        call = st.cluster_parent[first_cluster] if k > 0 else np.zeros(st.nstrata, np.int64)
        ncalls = len(call_mult)
        nstrat = np.bincount(call, weights=visited.astype(float), minlength=ncalls)
        nna = np.bincount(call, weights=(visited & is_na).astype(float), minlength=ncalls)
        with np.errstate(divide="ignore", invalid="ignore"):
            avg = np.where(nstrat > 0, nstrat / (nstrat - nna), 0.0)
        w_h = w_h * (avg * call_mult)[call]
        if not np.isfinite(w_h).all():
            return np.full((p, p), np.nan)
        # sum_h w_h sum_{i in h} (T_i - c_h S_h/n_h)(T_i - c_h S_h/n_h)', computed centred
        s = group_totals(scores, st.strata, st.nstrata)
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = np.where(centred[:, None], s / np.maximum(nh, 1)[:, None], 0.0)
        coef = np.where(centred, w_h / nh, 0.0)
        layers = scores.layers or []
        if k == 0 and design.element and scores.dense is None and len(layers) == 1:
            cols, vals = layers[0]
            v += _element_single_layer(cols, vals, st.strata, st.nstrata, p, w_h, coef, s)
        elif k == 0 and design.element:
            v += _centred_crossprod(scores.to_dense(n), st.strata, w_h, centre)
        else:
            t = group_totals(scores, st.cluster, st.nclusters)
            v += _centred_crossprod(t, st.cluster_stratum, w_h, centre)
        # multipliers for the next stage: parent multiplier * n/N of the cluster's stratum
        frac = np.where(np.isinf(big_n), 0.0, nh / big_n)
        cl_call = call[st.cluster_stratum]
        call_mult = call_mult[cl_call] * frac[st.cluster_stratum]
        if not call_mult.any():
            break
    # Round-off must not make a variance negative.
    np.fill_diagonal(v, np.maximum(np.diag(v), 0.0))
    return v


def svyrecvar_by_column(
    scores: Scores, design: Design, present: BoolArray | None, present_cols: list[BoolArray] | None
) -> FloatArray:
    """As svyrecvar; with lonely_psu 'average' the variance of each column uses the strata
    visited by that column's own (domain) rows, as R computes each domain separately."""
    v = svyrecvar(scores, design, present)
    if design.lonely_psu == "average" and present_cols is not None:
        for j, pj in enumerate(present_cols):
            v[j, j] = svyrecvar(scores.column(j, design.n), design, pj)[0, 0]
    return v


def as_matrix(x: npt.ArrayLike) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    return a.reshape(len(a), -1) if a.ndim == 1 else a
