"""Replicate-weight designs: JK1, JKn, BRR and Fay, derived from a design as R's
``as.svrepdesign`` does or given as columns as in ``svrepdesign``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .data import Table
from .design import Design, FloatArray
from .errors import StatsError
from .spec import ReplicateSpec


@dataclass
class ReplicateDesign:
    weights: FloatArray     # n x R analysis weights
    scale: float
    rscales: FloatArray     # R
    mse: bool
    df: int


def sylvester(order: int) -> FloatArray:
    h = np.ones((1, 1))
    while h.shape[0] < order:
        h = np.block([[h, h], [h, -h]])
    return h


def build_replicates(spec: ReplicateSpec, design: Design, table: Table, w: FloatArray,
                     design_df: int) -> ReplicateDesign:
    if spec.columns is not None:
        mats = [table.numeric(c, f"replicates.columns[{i}]")
                for i, c in enumerate(spec.columns)]
        for c, m in zip(spec.columns, mats, strict=True):
            if np.isnan(m).any():
                raise StatsError(f"column {c!r} has missing values", "replicates.columns")
            if (m < 0).any():
                raise StatsError(f"column {c!r} has negative weights", "replicates.columns")
        rw = np.column_stack(mats)
        if not spec.combined_weights:
            rw = rw * w[:, None]
        nrep = rw.shape[1]
        if spec.type == "JK1":
            scale = (nrep - 1) / nrep
        elif spec.type == "BRR":
            scale = 1.0 / nrep
        elif spec.type == "Fay":
            scale = 1.0 / (nrep * (1 - spec.rho) ** 2)
        else:
            if spec.rscales is None:
                raise StatsError("JKn with given replicate columns needs rscales",
                                 "replicates.rscales")
            scale = 1.0
        if spec.scale is not None:
            scale = spec.scale
        rscales = np.ones(nrep) if spec.rscales is None else np.asarray(spec.rscales, float)
        if len(rscales) != nrep:
            raise StatsError("needs one value per replicate column", "replicates.rscales")
        df = int(np.linalg.matrix_rank(rw, tol=1e-5 * np.abs(rw).max())) - 1
        return ReplicateDesign(rw, float(scale), rscales, spec.mse, df)
    mult, scale, rscales = _derive(design, spec)
    return ReplicateDesign(mult * w[:, None], scale, rscales, spec.mse, design_df)


def _derive(design: Design, spec: ReplicateSpec) -> tuple[FloatArray, float, FloatArray]:
    st = design.stages[0]
    psu = st.cluster
    npsu = st.nclusters
    if spec.type == "JK1":
        if design.has_strata:
            raise StatsError("JK1 cannot be used for a stratified design; use JKn",
                             "replicates.type")
        nh = float(npsu)
        fpc = 1.0
        if np.isfinite(st.popsize[0]):
            fpc = (st.popsize[0] - nh) / st.popsize[0]
        mult = np.full((npsu, npsu), nh / (nh - 1))
        np.fill_diagonal(mult, 0.0)
        return mult[psu], fpc * (nh - 1) / nh, np.ones(npsu)
    if spec.type == "JKn":
        nh = st.sampsize[st.cluster_stratum]          # per PSU
        big_n = st.popsize[st.cluster_stratum]
        single = nh == 1
        if single.any() and design.lonely_psu == "fail":
            raise StatsError("a stratum has only one PSU (lonely_psu is 'fail')",
                             "design.lonely_psu")
        reps = np.flatnonzero(~single)
        mult = np.ones((npsu, len(reps)))
        same = st.cluster_stratum[:, None] == st.cluster_stratum[reps][None, :]
        factor = np.where(same, (nh[reps] / np.maximum(nh[reps] - 1, 1))[None, :], 1.0)
        mult = mult * factor
        mult[reps, np.arange(len(reps))] = 0.0
        with np.errstate(invalid="ignore"):
            fpc = np.where(np.isinf(big_n), 1.0, (big_n - nh) / big_n)
        rscales = ((nh - 1) / nh * fpc)[reps]
        return mult[psu], 1.0, rscales
    # BRR / Fay: two PSUs per stratum
    rho = spec.rho if spec.type == "Fay" else 0.0
    counts = st.sampsize
    if not (counts == 2).all():
        raise StatsError("BRR and Fay need exactly two PSUs in every stratum",
                         "replicates.type")
    nstrat = st.nstrata
    h = sylvester(nstrat + 1)
    nrep = h.shape[0]
    # first PSU (in order of appearance) of each stratum takes the + half
    order = np.argsort(st.cluster_stratum, kind="stable")
    first = np.zeros(npsu, dtype=bool)
    first[order[0::2]] = True
    sign = h[:, 1:nstrat + 1].T[st.cluster_stratum]   # npsu x R
    sel = np.where(first[:, None], sign > 0, sign < 0)
    mult = np.where(sel, 2.0 - rho, rho)
    return mult[psu], 1.0 / (nrep * (1 - rho) ** 2), np.ones(nrep)


def replicate_variance(thetas: FloatArray, full: FloatArray, rd: ReplicateDesign) -> FloatArray:
    """R's svrVar: thetas is R x p."""
    centre = full if rd.mse else thetas[rd.rscales > 0].mean(axis=0)
    d = (thetas - centre) * np.sqrt(rd.rscales)[:, None]
    return np.asarray(d.T @ d * rd.scale)
