"""Calibration of weights: post-stratification, raking and linear (GREG), as R's
``postStratify``, ``rake`` and ``calibrate(calfun="linear")``, together with the
residual adjustments R's svyrecvar makes so the variance accounts for calibration."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from .data import Table, missing_mask
from .design import FloatArray, IntArray, factorize
from .errors import StatsError
from .spec import CalibrationStep, Margin


@dataclass
class PostStratum:
    index: IntArray
    ncell: int
    weights: FloatArray  # weights after this post-stratification
    oldweights: FloatArray  # weights before it
    _onehot: sparse.csr_matrix | None = field(default=None, repr=False, compare=False)

    def cell_sums(self, x: FloatArray) -> FloatArray:
        """Σ over the rows of each cell, for every column of x (ncell x p): a product with
        the cells' 0/1 incidence matrix, built once (a sparse product is one pass over x)."""
        if self._onehot is None:
            n = len(self.index)
            self._onehot = sparse.csr_matrix(
                (np.ones(n), (self.index, np.arange(n))), shape=(self.ncell, n)
            )
        return np.asarray(self._onehot @ x)

    def residualize(self, x: FloatArray) -> FloatArray:
        psw = self.weights.copy()
        zero = (psw == 0) & (self.oldweights == 0)
        psw[zero] = 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(psw != 0, self.oldweights / psw, 0.0)
        den = np.bincount(self.index, weights=self.oldweights, minlength=self.ncell)
        num = self.cell_sums(x * ratio[:, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(den[:, None] != 0, num / den[:, None], 0.0)
        return np.asarray(x - means[self.index] * psw[:, None])


@dataclass
class Raking:
    """R's svyrecvar for raked weights: ten sweeps over the margins, each subtracting from the
    scores x the weight times the mean of x / weight in the row's cell of the margin,

        x ← x - w_m · E_m mean_m(x / w_m)          (E_m: row → its cell of margin m).

    After any number of sweeps x = x₀ + Σ_m w_m · E_m A_m for cell coefficients A_m, so the
    sweeps run on those small matrices: with B_m = E_mᵀ(x₀ / w_m) and the cross-tables
    C_mk = E_mᵀ diag(w_k / w_m) E_k (computed once per design), a step for margin m is
    A_m ← A_m - (B_m + Σ_k C_mk A_k) / count_m. Two passes over the rows per margin instead
    of twenty; the same sums, in another order (agreement to rounding)."""

    margins: list[PostStratum]
    _cross: list[list[FloatArray]] | None = None
    _inv: list[FloatArray] | None = None
    _count: list[FloatArray] | None = None

    def inverse(self) -> list[FloatArray]:
        """1 / w_m for every margin's weights, 0 where the weight is 0."""
        if self._inv is None:
            self._inv = [
                np.where(m.weights != 0, 1.0 / np.where(m.weights != 0, m.weights, 1.0), 0.0)
                for m in self.margins
            ]
        return self._inv

    def cross(self) -> list[list[FloatArray]]:
        if self._cross is None:
            inv = self.inverse()
            self._cross = [
                [
                    np.bincount(
                        m.index * k.ncell + k.index,
                        weights=inv[a] * k.weights,
                        minlength=m.ncell * k.ncell,
                    ).reshape(m.ncell, k.ncell)
                    for k in self.margins
                ]
                for a, m in enumerate(self.margins)
            ]
        return self._cross

    def residualize(self, x: FloatArray) -> FloatArray:
        cross = self.cross()
        p = x.shape[1]
        b = [
            m.cell_sums(x * inv[:, None])
            for m, inv in zip(self.margins, self.inverse(), strict=True)
        ]
        if self._count is None:
            self._count = [
                np.maximum(np.bincount(m.index, minlength=m.ncell).astype(float), 1.0)[:, None]
                for m in self.margins
            ]
        count = self._count
        coef = [np.zeros((m.ncell, p)) for m in self.margins]
        for _ in range(10):
            for a in range(len(self.margins)):
                total = b[a] + sum(cross[a][k] @ coef[k] for k in range(len(self.margins)))
                coef[a] = coef[a] - total / count[a]
        out = x.copy()
        for m, c in zip(self.margins, coef, strict=True):
            out += m.weights[:, None] * c[m.index]
        return out


@dataclass
class Greg:
    q: FloatArray  # orthonormal basis of mm * sqrt(old weights)
    w: FloatArray  # g * sqrt(old weights)

    def residualize(self, x: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(self.w[:, None] != 0, x / self.w[:, None], 0.0)
        y = y - self.q @ (self.q.T @ y)
        return np.asarray(y * self.w[:, None])


Residualizer = PostStratum | Raking | Greg


def _match_value(col: npt.NDArray[np.generic], value: object, where: str) -> object:
    if col.dtype.kind in "iuf":
        if isinstance(value, bool) or not isinstance(value, int | float):
            try:
                return float(str(value))
            except ValueError:
                raise StatsError(
                    f"value {value!r} does not match the numeric column", where
                ) from None
        return float(value)
    return str(value) if not isinstance(value, str) else value


def cell_index(table: Table, margin: Margin, where: str) -> tuple[IntArray, FloatArray]:
    """Cell of every row and the population count of every cell."""
    cols = [table.get(v, f"{where}.variables") for v in margin.variables]
    for v, c in zip(margin.variables, cols, strict=True):
        missing = missing_mask(c)
        if missing.any():
            raise StatsError(f"column {v!r} has missing values", f"{where}.variables")
    cells: dict[tuple[object, ...], int] = {}
    pops: list[float] = []
    for j, (key, count) in enumerate(margin.population):
        k = tuple(
            _match_value(c, val, f"{where}.population[{j}]")
            for c, val in zip(cols, key, strict=True)
        )
        if k in cells:
            raise StatsError(f"cell {key!r} is listed twice", f"{where}.population")
        cells[k] = len(pops)
        pops.append(count)
    codes_levels = [factorize(c) for c in cols]
    # map each combination of level codes to a population cell
    combo = np.zeros(table.n, dtype=np.int64)
    sizes = [len(lv) for _, lv in codes_levels]
    for (codes, _), size in zip(codes_levels, sizes, strict=True):
        combo = combo * size + codes
    uniq, inverse = np.unique(combo, return_inverse=True)
    lookup = np.empty(len(uniq), dtype=np.int64)
    for u_i, u in enumerate(uniq.tolist()):
        rest = int(u)
        key_codes = []
        for size in reversed(sizes):
            key_codes.append(rest % size)
            rest //= size
        key_codes.reverse()
        key = tuple(lv[c] for (_, lv), c in zip(codes_levels, key_codes, strict=True))
        key = tuple(
            float(x) if isinstance(x, int | float) and not isinstance(x, bool) else x for x in key
        )
        if key not in cells:
            raise StatsError(
                f"sample cell {key!r} is absent from the population", f"{where}.population"
            )
        lookup[u_i] = cells[key]
    return lookup[inverse], np.asarray(pops, dtype=float)


def poststratify_weights(w: FloatArray, index: IntArray, pop: FloatArray, where: str) -> FloatArray:
    tot = np.bincount(index, weights=w, minlength=len(pop))
    present = np.bincount(index, minlength=len(pop)) > 0
    if (present & (pop == 0)).any():
        # R's postStratify stops ("Strata in sample absent from population"); zeroing the
        # weights of those rows would silently drop them from every estimate
        cell = int(np.argmax(present & (pop == 0)))
        raise StatsError(
            "this cell has population count N = 0 but occurs in the sample (as R: strata "
            "in sample absent from population)",
            f"{where}.population[{cell}]",
        )
    if (present & (tot == 0)).any() or (~present & (pop > 0)).any():
        raise StatsError("some population cells are absent from the sample", f"{where}.population")
    with np.errstate(divide="ignore", invalid="ignore"):
        reweight = np.where(tot > 0, pop / tot, 0.0)
    return np.asarray(w * reweight[index])


def model_matrix(table: Table, terms: list[str], where: str) -> tuple[FloatArray, list[str]]:
    cols = [np.ones(table.n)]
    names = ["(Intercept)"]
    for i, term in enumerate(terms):
        c = table.get(term, f"{where}.terms[{i}]")
        if c.dtype.kind in "iuf":
            c = c.astype(float)
            if np.isnan(c).any():
                raise StatsError(f"column {term!r} has missing values", f"{where}.terms[{i}]")
            cols.append(c.astype(float))
            names.append(term)
        else:
            if any(v is None for v in c):
                raise StatsError(f"column {term!r} has missing values", f"{where}.terms[{i}]")
            codes, levels = factorize(c)
            for j, lv in enumerate(levels[1:], start=1):
                cols.append((codes == j).astype(float))
                names.append(f"{term}{lv}")
    return np.column_stack(cols), names


@dataclass
class Calibrated:
    weights: FloatArray
    residualizers: list[Residualizer]
    rep_weights: FloatArray | None
    # the replicate weights after the last post-stratification or raking: R's postStratify
    # and rake recompute degf() of a replicate design from them, calibrate() keeps it
    rep_weights_for_df: FloatArray | None = None


def calibrate(
    steps: list[CalibrationStep], table: Table, w: FloatArray, rep: FloatArray | None
) -> Calibrated:
    """Apply the calibration steps in order to the weights (and replicate weights)."""
    res: list[Residualizer] = []
    rep_for_df = None
    for i, step in enumerate(steps):
        where = f"calibration[{i}]"
        if step.method == "poststratify":
            idx, pop = cell_index(table, step.margins[0], where)
            neww = poststratify_weights(w, idx, pop, where)
            res.append(PostStratum(idx, len(pop), neww, w))
            if rep is not None:
                rep = np.column_stack(
                    [poststratify_weights(rep[:, r], idx, pop, where) for r in range(rep.shape[1])]
                )
            w = neww
            rep_for_df = rep
        elif step.method == "rake":
            w, rep, rk = _rake(step, table, w, rep, where)
            res.append(rk)
            rep_for_df = rep
        else:
            mm, names = model_matrix(table, step.terms, where)
            missing = [nm for nm in names if nm not in step.totals]
            extra = [k for k in step.totals if k not in names]
            if missing or extra:
                raise StatsError(
                    f"population totals must be given for exactly {names}; "
                    f"missing {missing}, unknown {extra}",
                    f"{where}.population",
                )
            pop = np.array([step.totals[nm] for nm in names])
            g = _linear_g(mm, w, pop, where)
            whalf = np.sqrt(w)
            qmat, _ = np.linalg.qr(mm * whalf[:, None])
            res.append(Greg(qmat, g * whalf))
            if rep is not None:
                rep = np.column_stack(
                    [rep[:, r] * _linear_g(mm, rep[:, r], pop, where) for r in range(rep.shape[1])]
                )
            w = w * g
    return Calibrated(w, res, rep, rep_for_df)


def _linear_g(mm: FloatArray, w: FloatArray, pop: FloatArray, where: str) -> FloatArray:
    a = (mm * w[:, None]).T @ mm
    sample = mm.T @ w
    try:
        lam = np.linalg.solve(a, pop - sample)
    except np.linalg.LinAlgError:
        raise StatsError("calibration model matrix is singular", f"{where}.terms") from None
    return np.asarray(1.0 + mm @ lam)


def _rake(
    step: CalibrationStep, table: Table, w: FloatArray, rep: FloatArray | None, where: str
) -> tuple[FloatArray, FloatArray | None, Raking]:
    cells = [cell_index(table, m, f"{where}.margins[{j}]") for j, m in enumerate(step.margins)]
    allvars: list[str] = []
    for m in step.margins:
        allvars.extend(v for v in m.variables if v not in allvars)
    joint = np.zeros(table.n, dtype=np.int64)
    for v in allvars:
        codes, levels = factorize(table.get(v, f"{where}.margins"))
        joint = joint * len(levels) + codes
    _, joint = np.unique(joint, return_inverse=True)
    njoint = int(joint.max()) + 1
    eps = step.epsilon * float(w.sum()) if step.epsilon < 1 else step.epsilon
    old = np.bincount(joint, weights=w, minlength=njoint)
    sweeps = 0
    margins: list[PostStratum] = []
    converged = False
    while sweeps < step.maxit:
        margins = []
        for j, (idx, pop) in enumerate(cells):
            neww = poststratify_weights(w, idx, pop, f"{where}.margins[{j}]")
            margins.append(PostStratum(idx, len(pop), neww, w))
            w = neww
        new = np.bincount(joint, weights=w, minlength=njoint)
        sweeps += 1
        if np.max(np.abs(old - new)) < eps:
            converged = True
            break
        old = new
    del converged  # R only warns when raking does not converge
    if rep is not None:
        cols = []
        for r in range(rep.shape[1]):
            wr = rep[:, r]
            for _ in range(sweeps):
                for j, (idx, pop) in enumerate(cells):
                    wr = poststratify_weights(wr, idx, pop, f"{where}.margins[{j}]")
            cols.append(wr)
        rep = np.column_stack(cols)
    return w, rep, Raking(margins)
