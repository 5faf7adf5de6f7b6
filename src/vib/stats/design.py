"""Sampling designs: the equivalent of R's ``svydesign`` (survey.design2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np
import numpy.typing as npt

from .data import Table, coded, missing_mask
from .errors import StatsError
from .spec import DesignSpec

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
NumArray = npt.NDArray[np.integer[Any] | np.floating[Any]]


def is_numeric(col: npt.NDArray[np.generic]) -> TypeGuard[NumArray]:
    """Narrows a column to an integer or floating array (dtype kinds i, u, f)."""
    return col.dtype.kind in "iuf"


def _small_int_codes(col: NumArray) -> tuple[IntArray, list[object]] | None:
    """O(n) factorisation of integer-valued columns with a compact range."""
    n = len(col)
    if n == 0:
        return None
    lo, hi = col.min(), col.max()
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo > max(4 * n, 1024):
        return None
    if col.dtype.kind == "f" and not np.array_equal(col, np.floor(col)):
        return None
    shifted = (col - lo).astype(np.int64)
    present = np.bincount(shifted) > 0
    remap = np.cumsum(present) - 1
    levels = (np.flatnonzero(present) + lo).tolist()
    return remap[shifted], [_num(float(v)) for v in levels]


def factorize(col: npt.NDArray[np.generic]) -> tuple[IntArray, list[object]]:
    """Codes 0..k-1 in sorted order of the distinct values (like R's factor)."""
    c = coded(col)
    if (
        c is not None
        and c.codes is not None
        and c.levels is not None
        and (not len(c) or int(c.codes.min()) >= 0)  # no value missing: the file's codes
    ):
        return c.codes.astype(np.int64), list(c.levels)
    if is_numeric(col):
        fast = _small_int_codes(col)
        if fast is not None:
            return fast
    if col.dtype.kind == "f":
        levels, codes = np.unique(col, return_inverse=True)
        return codes.astype(np.int64, copy=False), [_num(v) for v in levels.tolist()]
    if col.dtype.kind in "iub":
        levels, codes = np.unique(col, return_inverse=True)
        return codes.astype(np.int64, copy=False), levels.tolist()
    uniq = sorted(set(col.tolist()))
    index = {v: i for i, v in enumerate(uniq)}
    return np.fromiter((index[v] for v in col), dtype=np.int64, count=len(col)), list(uniq)


def _num(v: float) -> object:
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else v


def dense_codes(x: IntArray) -> IntArray:
    """Renumber non-negative integer codes to 0..k-1 keeping their order."""
    if len(x) and int(x.max()) <= max(4 * len(x), 1024):
        present = np.bincount(x) > 0
        remap = np.cumsum(present) - 1
        return remap[x].astype(np.int64, copy=False)
    _, inv = np.unique(x, return_inverse=True)
    return inv.astype(np.int64, copy=False)


def combine_codes(*codes: IntArray) -> IntArray:
    """Codes of the interaction of several code arrays (dense 0..k-1)."""
    out = codes[0].astype(np.int64, copy=True)
    for c in codes[1:]:
        width = int(c.max()) + 1 if len(c) else 1
        out = out * width + c
    return dense_codes(out)


@dataclass
class Stage:
    cluster: IntArray  # dense codes, unique across the whole design (nested)
    strata: IntArray  # dense codes of the stratum at this stage (nested in parents)
    nclusters: int
    nstrata: int
    sampsize: FloatArray  # per stratum: number of clusters sampled (R's fpc$sampsize)
    popsize: FloatArray  # per stratum: population size; inf when not given
    cluster_stratum: IntArray  # per cluster: its stratum
    cluster_parent: IntArray  # per cluster: its parent cluster at the previous stage (0)


@dataclass
class Design:
    n: int
    prob: FloatArray
    stages: list[Stage]
    has_strata: bool
    has_fpc: bool
    lonely_psu: str
    element: bool  # every row is its own PSU (ids = [])

    @property
    def weights(self) -> FloatArray:
        with np.errstate(divide="ignore"):
            w = 1.0 / self.prob
        w[np.isinf(self.prob)] = 0.0
        return w


def _no_missing(col: npt.NDArray[np.generic], name: str, field: str) -> None:
    bad = missing_mask(col)
    if bad.any():
        raise StatsError(
            f"column {name!r} has missing values (row {int(np.argmax(bad)) + 1})", field
        )


def build_design(ds: DesignSpec, table: Table) -> Design:  # noqa: C901, PLR0912, PLR0915
    n = table.n
    if n == 0:
        raise StatsError("the data has no rows", "data")
    element = not ds.ids
    id_codes: list[IntArray] = []
    if element:
        id_codes.append(np.arange(n, dtype=np.int64))
    else:
        for i, name in enumerate(ds.ids):
            col = table.get(name, f"design.ids[{i}]")
            _no_missing(col, name, f"design.ids[{i}]")
            id_codes.append(factorize(col)[0])
    nstage = len(id_codes)
    if ds.strata is not None:
        scol = table.get(ds.strata, "design.strata")
        _no_missing(scol, ds.strata, "design.strata")
        strata0 = factorize(scol)[0]
        has_strata = True
    else:
        strata0 = np.zeros(n, dtype=np.int64)
        has_strata = False
    if id_codes[0].min() == id_codes[0].max() and not (ds.nest and has_strata):
        raise StatsError("the design has only one primary sampling unit", "design.ids")
    # subclusters nested in clusters
    for i in range(1, nstage):
        id_codes[i] = combine_codes(id_codes[i - 1], id_codes[i])
    if ds.nest and has_strata:
        for i in range(nstage):
            id_codes[i] = combine_codes(strata0, id_codes[i])
    elif has_strata:
        c0 = id_codes[0]
        first_stratum = np.empty(int(c0.max()) + 1, dtype=np.int64)
        first_stratum[c0[::-1]] = strata0[::-1]
        if not np.array_equal(first_stratum[c0], strata0):
            raise StatsError(
                "clusters are not nested in strata at the top level; you may want nest: true",
                "design.nest",
            )
    strata_codes = [strata0] + [combine_codes(strata0, id_codes[i - 1]) for i in range(1, nstage)]
    # fpc
    fpc_cols: list[FloatArray] = []
    for i, name in enumerate(ds.fpc):
        col = table.numeric(name, f"design.fpc[{i}]")
        _no_missing(col, name, f"design.fpc[{i}]")
        fpc_cols.append(col)
    has_fpc = bool(fpc_cols)
    if has_fpc and len(fpc_cols) != nstage:
        # R's as.fpc compares an n x (fpc columns) matrix with the n x (stages) matrix of
        # sample sizes and stops ("non-conformable arrays"); it never guesses the others
        raise StatsError(
            f"the design has {nstage} sampling stage(s) but fpc gives "
            f"{len(fpc_cols)}: give an fpc for every stage or none (as R)",
            "design.fpc",
        )
    if has_fpc:
        allv = np.concatenate(fpc_cols)
        ispop = bool((allv > 1).any())
        if ispop != bool((allv >= 1).all()):
            raise StatsError(
                "must have all fpc >= 1 (population sizes) or all fpc <= 1 (sampling fractions)",
                "design.fpc",
            )
        if (allv <= 0).any() and not ispop:
            raise StatsError("a sampling fraction must be positive", "design.fpc")
    stages: list[Stage] = []
    parent = np.zeros(n, dtype=np.int64)
    for i in range(nstage):
        cl = id_codes[i]
        st = strata_codes[i]
        ncl = int(cl.max()) + 1
        nst = int(st.max()) + 1
        first = np.full(ncl, -1, dtype=np.int64)
        first[cl[::-1]] = np.arange(n - 1, -1, -1)
        cluster_stratum = st[first]
        cluster_parent = parent[first]
        sampsize = np.bincount(cluster_stratum, minlength=nst).astype(np.float64)
        popsize = np.full(nst, np.inf)
        if i < len(fpc_cols):
            fcol = fpc_cols[i]
            vals = np.full(nst, np.nan)
            vals[st] = fcol  # last value wins; R warns if fpc varies within strata
            lo = np.full(nst, np.inf)
            hi = np.full(nst, -np.inf)
            np.minimum.at(lo, st, fcol)
            np.maximum.at(hi, st, fcol)
            if (lo != hi).any():
                raise StatsError(f"fpc varies within strata at stage {i + 1}", f"design.fpc[{i}]")
            popsize = vals if ispop else sampsize / vals
            if (popsize < sampsize).any():
                raise StatsError(
                    f"fpc implies more than 100% sampling in some strata at stage {i + 1}",
                    f"design.fpc[{i}]",
                )
        stages.append(Stage(cl, st, ncl, nst, sampsize, popsize, cluster_stratum, cluster_parent))
        parent = cl
    # weights
    if ds.weights is not None:
        w = table.numeric(ds.weights, "design.weights")
        _no_missing(w, ds.weights, "design.weights")
        if (w < 0).any():
            raise StatsError(
                f"column {ds.weights!r} has negative weights (row {int(np.argmax(w < 0)) + 1})",
                "design.weights",
            )
        with np.errstate(divide="ignore"):
            prob = 1.0 / w
    elif ds.probs is not None:
        pr = table.numeric(ds.probs, "design.probs")
        _no_missing(pr, ds.probs, "design.probs")
        if (pr <= 0).any() or (pr > 1).any():
            raise StatsError(
                f"column {ds.probs!r} must hold probabilities in (0, 1]", "design.probs"
            )
        prob = pr.astype(np.float64, copy=True)
    elif has_fpc:
        prob = np.ones(n)
        for s in stages:
            prob = prob * (s.sampsize / s.popsize)[s.strata]
    else:
        prob = np.ones(n)
    return Design(
        n=n,
        prob=prob,
        stages=stages,
        has_strata=has_strata,
        has_fpc=has_fpc,
        lonely_psu=ds.lonely_psu,
        element=element,
    )


def degf_by_domain(design: Design, dom: IntArray, ndom: int) -> list[int]:
    """degf() of each domain's subset design; ``dom`` is -1 outside every domain."""
    ok = (design.prob != np.inf) & (dom >= 0)
    st = design.stages[0]
    d = dom[ok]
    if design.element:
        npsu = np.bincount(d, minlength=ndom)
    else:
        key = d * st.nclusters + st.cluster[ok]
        npsu = np.bincount(np.flatnonzero(np.bincount(key)) // st.nclusters, minlength=ndom)
    key = d * st.nstrata + st.strata[ok]
    nstr = np.bincount(np.flatnonzero(np.bincount(key)) // st.nstrata, minlength=ndom)
    return [int(a - b) for a, b in zip(npsu, nstr, strict=True)]


def degf(design: Design, rows: BoolArray | None) -> int:
    """R's degf(): PSUs minus strata among rows with non-zero weight."""
    inset = design.prob != np.inf
    if rows is not None:
        inset = inset & rows
    st = design.stages[0]
    npsu = np.count_nonzero(np.bincount(st.cluster[inset], minlength=st.nclusters))
    nstr = np.count_nonzero(np.bincount(st.strata[inset], minlength=st.nstrata))
    return int(npsu - nstr)
