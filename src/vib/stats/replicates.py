"""Replicate-weight designs: JK1, JKn, BRR and Fay, derived from a design as R's
``as.svrepdesign`` does or given as columns as in ``svrepdesign``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .data import Table
from .design import Design, FloatArray, IntArray, factorize
from .errors import StatsError
from .spec import ReplicateSpec


@dataclass
class ReplicateDesign:
    weights: FloatArray  # n x R analysis weights
    scale: float
    rscales: FloatArray  # R
    mse: bool
    df: int  # R's degf(): qr rank of the analysis weights - 1
    _df_cache: dict[bytes, int] = field(default_factory=dict)

    def df_rows(self, rows: npt.NDArray[np.bool_] | None) -> int:
        """degf() of the design restricted to ``rows`` (R's ``[.svyrep.design`` drops the
        other rows and recomputes it), e.g. a domain of svyby or a subset."""
        if rows is None or rows.all():
            return self.df
        key = np.packbits(rows).tobytes()
        if key not in self._df_cache:
            self._df_cache[key] = replicate_degf(self.weights, rows)
        return self._df_cache[key]


# Hadamard matrices as R's survey package stores them (sysdata.rda: hadamard.list), in R's
# 0/1 coding (1 = +1). 4 and 16 are Sylvester's; 28 is from Sloane's library and 36 from
# Plackett and Burman (1946). One hexadecimal string per row, most significant bit first.
_STORED_HEX: dict[int, list[str]] = {
    28: [
        "fffffff",
        "9c71c78",
        "83cd378",
        "83b2e66",
        "9a0f8d6",
        "952c5ae",
        "8cd239e",
        "58aa7f0",
        "45b59d4",
        "46cbcac",
        "561774a",
        "4b64e9a",
        "5959b26",
        "2d1eae8",
        "3666b34",
        "2b3b51c",
        "31d74b2",
        "32f89ca",
        "2ced646",
        "ea545e4",
        "f1632cc",
        "f09ce1c",
        "e54ad52",
        "e6392b2",
        "e8a792a",
        "dffe000",
        "bf81f80",
        "7f8007e",
    ],
    36: [
        "fffffffff",
        "5c7dc8564",
        "b8fb90ac8",
        "71f721592",
        "e3ee42b24",
        "c7dc8564a",
        "8fb90ac96",
        "1f721592e",
        "3ee42b25c",
        "7dc8564b8",
        "fb90ac970",
        "f721592e2",
        "ee42b25c6",
        "dc8564b8e",
        "b90ac971e",
        "721592e3e",
        "e42b25c7c",
        "c8564b8fa",
        "90ac971f6",
        "21592e3ee",
        "42b25c7dc",
        "8564b8fb8",
        "0ac971f72",
        "1592e3ee4",
        "2b25c7dc8",
        "564b8fb90",
        "ac971f720",
        "592e3ee42",
        "b25c7dc84",
        "64b8fb90a",
        "c971f7214",
        "92e3ee42a",
        "25c7dc856",
        "4b8fb90ac",
        "971f72158",
        "2e3ee42b2",
    ],
}
PALEY_MAX_PRIME = 7919  # R's paley() knows the primes p = 3 (mod 4) up to 7919


def _sylvester01(order: int) -> IntArray:
    h = np.ones((1, 1), dtype=np.int64)
    while h.shape[0] < order:
        h = np.block([[h, h], [h, 1 - h]])  # R's hadamard.doubler
    return h


def _from_hex(rows: list[str]) -> IntArray:
    k = len(rows)
    return np.array(
        [[(int(r, 16) >> (k - 1 - j)) & 1 for j in range(k)] for r in rows], dtype=np.int64
    )


def _stored() -> list[IntArray]:
    return [
        _sylvester01(4),
        _sylvester01(16),
        _from_hex(_STORED_HEX[28]),
        _from_hex(_STORED_HEX[36]),
    ]


def _is_prime(k: int) -> bool:
    return k > 1 and all(k % d for d in range(2, math.isqrt(k) + 1))


def _prime3mod4(k: int) -> bool:
    return k % 4 == 3 and k <= PALEY_MAX_PRIME and _is_prime(k)


def _paley_matrix(p: int) -> IntArray:
    """The Paley matrix of order p + 1 (p prime, p = 3 mod 4) in R's 0/1 coding: 1 in the
    first row and column, and at (i, j) when i + j (mod p) is not a quadratic residue."""
    residues = sorted({0} | {(i * i) % p for i in range(1, (p - 1) // 2 + 1)})
    idx = np.arange(p)
    m = (idx[:, None] + idx[None, :]) % p
    out = np.ones((p + 1, p + 1), dtype=np.int64)
    out[1:, 1:] = np.where(np.isin(m, residues), 0, 1)
    return out


def paley(n: int, nmax: int | None = None) -> IntArray | None:
    """R's paley(n, nmax) (survey 4.1): a 0/1 Hadamard matrix of order > n from Paley's
    construction, possibly doubled, or None when it would be larger than nmax."""
    if nmax is None:
        nmax = 2 * n
    nceil = n + 4 - n % 4  # the next multiple of 4 above n
    if n % 8 >= 4:  # nceil is a multiple of 8: try a doubled Paley
        nn = nceil
        while nn % 8 == 0:
            nn //= 2
        if _prime3mod4(nn - 1):
            h = _paley_matrix(nn - 1)
            while nn < nceil:
                h = np.block([[h, h], [h, 1 - h]])
                nn *= 2
            return h
    if n > PALEY_MAX_PRIME:
        return None
    p = next(q for q in range(max(n, 3), PALEY_MAX_PRIME + 1) if _prime3mod4(q))
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return paley(nceil + 3)
    if p > nmax:
        return None
    return _paley_matrix(p)


def hadamard(n: int) -> IntArray:
    """R's hadamard(n): a 0/1 Hadamard matrix of order > n, chosen exactly as R chooses it
    (stored 4, 16, 28, 36; else the best doubling of a stored one, or Paley when that
    saves more than 4 rows)."""
    stored = _stored()
    sizes = [h.shape[0] for h in stored]
    m = n - n % 4
    pre = [i for i, s in enumerate(sizes) if m < s <= m + 4]
    if pre:
        return stored[min(pre)]
    if all(m < s for s in sizes):
        return stored[0]
    exps = [max(0, math.ceil(math.log2((n + 1) / s))) for s in sizes]
    doubled = [s * 2**e for s, e in zip(sizes, exps, strict=True)]
    best = min(range(len(sizes)), key=lambda i: (doubled[i] - n, i))
    h = paley(n, doubled[best]) if doubled[best] - n > 4 else None
    if h is None:
        h = stored[best]
        for _ in range(exps[best]):
            h = np.block([[h, h], [h, 1 - h]])
    return h


def qr_rank(x: FloatArray, tol: float = 1e-5) -> int:
    """The rank that R's qr(x, tol) reports (LINPACK dqrdc2: Householder QR with limited
    pivoting; a column whose remaining norm falls below tol times its original norm is
    moved to the end and not counted)."""
    a = np.array(x, dtype=np.float64, copy=True)
    n, p = a.shape
    qraux = np.sqrt((a * a).sum(axis=0))
    work1 = qraux.copy()
    work2 = np.where(qraux == 0, 1.0, qraux)
    k = p + 1
    for ell in range(min(n, p)):
        while ell + 1 < k and qraux[ell] < work2[ell] * tol:
            order = np.r_[np.arange(ell), np.arange(ell + 1, p), ell]
            a = a[:, order]
            qraux, work1, work2 = qraux[order], work1[order], work2[order]
            k -= 1
        if ell == n - 1:
            break
        col = a[ell:, ell]
        nrmxl = float(np.sqrt(col @ col))
        if nrmxl == 0.0:
            continue
        if a[ell, ell] != 0:
            nrmxl = math.copysign(nrmxl, a[ell, ell])
        a[ell:, ell] /= nrmxl
        a[ell, ell] += 1.0
        if ell + 1 < p:
            v = a[ell:, ell]
            rest = a[ell:, ell + 1 :]
            t = -(v @ rest) / a[ell, ell]
            rest += np.outer(v, t)
            q = qraux[ell + 1 :]
            nz = q != 0
            with np.errstate(divide="ignore", invalid="ignore"):
                tt = np.maximum(1.0 - (np.abs(rest[0]) / q) ** 2, 0.0)
            small = nz & (np.abs(tt) < 1e-6)
            big = nz & ~small
            q[big] = q[big] * np.sqrt(tt[big])
            if small.any():
                fresh = np.sqrt((rest[1:, small] ** 2).sum(axis=0))
                q[small] = fresh
                work1[ell + 1 :][small] = fresh
        qraux[ell] = a[ell, ell]
        a[ell, ell] = -nrmxl
    return min(k - 1, n)


def replicate_degf(weights: FloatArray, rows: npt.NDArray[np.bool_] | None = None) -> int:
    """R's degf() of a replicate design (restricted to ``rows``, as R's ``[`` recomputes it
    for a subset): rank of the analysis weights by qr(tol = 1e-5), minus one."""
    w = weights if rows is None else weights[rows]
    if w.shape[0] == 0:
        return -1
    return qr_rank(w, 1e-5) - 1


def r_label(v: object) -> str:
    """as.character() of a stratum value as R would hold it after read.csv (integer-valued
    numbers are integers; other numbers have 15 significant digits)."""
    if isinstance(v, float | np.floating):
        f = float(v)
        if f.is_integer() and abs(f) < 2**31:
            return str(int(f))
        return format(f, ".15g")
    if isinstance(v, int | np.integer):
        return str(int(v))
    return str(v)


def build_replicates(
    spec: ReplicateSpec, design: Design, table: Table, w: FloatArray, strata_column: str | None
) -> ReplicateDesign:
    if spec.columns is not None:
        mats = [table.numeric(c, f"replicates.columns[{i}]") for i, c in enumerate(spec.columns)]
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
                raise StatsError(
                    "JKn with given replicate columns needs rscales", "replicates.rscales"
                )
            scale = 1.0
        if spec.scale is not None:
            scale = spec.scale
        rscales = np.ones(nrep) if spec.rscales is None else np.asarray(spec.rscales, float)
        if len(rscales) != nrep:
            raise StatsError("needs one value per replicate column", "replicates.rscales")
        return ReplicateDesign(rw, float(scale), rscales, spec.mse, replicate_degf(rw))
    if spec.type in ("JKn", "BRR", "Fay") and not design.has_strata:
        raise StatsError(
            f"{spec.type} needs a stratified design; use JK1 (R: Must use JK1 "
            "or bootstrap for an unstratified design)",
            "replicates.type",
        )
    labels: list[str] = []
    if strata_column is not None:
        labels = [r_label(v) for v in factorize(table.get(strata_column, "design.strata"))[1]]
    mult, scale, rscales = _derive(design, spec, labels)
    rw = mult * w[:, None]
    return ReplicateDesign(rw, scale, rscales, spec.mse, replicate_degf(rw))


def _derive(
    design: Design, spec: ReplicateSpec, strata_labels: list[str]
) -> tuple[FloatArray, float, FloatArray]:
    st = design.stages[0]
    psu = st.cluster
    npsu = st.nclusters
    if spec.type == "JK1":
        if design.has_strata:
            raise StatsError(
                "JK1 cannot be used for a stratified design; use JKn", "replicates.type"
            )
        n_psu = float(npsu)
        fpc1 = 1.0
        if np.isfinite(st.popsize[0]):
            fpc1 = float((st.popsize[0] - n_psu) / st.popsize[0])
        mult = np.full((npsu, npsu), n_psu / (n_psu - 1))
        np.fill_diagonal(mult, 0.0)
        return mult[psu], fpc1 * (n_psu - 1) / n_psu, np.ones(npsu)
    if spec.type == "JKn":
        nh = st.sampsize[st.cluster_stratum]  # per PSU
        big_n = st.popsize[st.cluster_stratum]
        single = nh == 1
        if single.any() and design.lonely_psu == "fail":
            raise StatsError(
                "a stratum has only one PSU (lonely_psu is 'fail')", "design.lonely_psu"
            )
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
    return _brr(design, spec, strata_labels)


def _brr(
    design: Design, spec: ReplicateSpec, strata_labels: list[str]
) -> tuple[FloatArray, float, FloatArray]:
    """R's brrweights(strata, psu) with its defaults (small = "fail", large = "split"),
    as as.svrepdesign(type = "BRR" | "Fay") calls it."""
    rho = spec.rho if spec.type == "Fay" else 0.0
    st = design.stages[0]
    npsu = st.nclusters
    # PSUs in order of first appearance (R: match = unq); their stratum as.character
    first_row = np.full(npsu, design.n, dtype=np.int64)
    np.minimum.at(first_row, st.cluster, np.arange(design.n))
    label = [strata_labels[h] for h in st.cluster_stratum.tolist()]
    oo = sorted(range(npsu), key=lambda j: (label[j], int(first_row[j])))
    ssize: dict[str, int] = {}
    for j in range(npsu):
        ssize[label[j]] = ssize.get(label[j], 0) + 1
    if any(v < 2 for v in ssize.values()):
        raise StatsError(
            "BRR and Fay need at least two PSUs in every stratum "
            "(R: Some strata have fewer than 2 PSUs)",
            "replicates.type",
        )
    if any(v > 2 and v % 2 for v in ssize.values()):
        raise StatsError(
            "BRR and Fay split a stratum with more than two PSUs into pairs, "
            "which needs an even number of PSUs (R: Can't split with odd "
            "numbers of PSUs in a stratum)",
            "replicates.type",
        )
    first_of_pair = np.zeros(npsu, dtype=bool)
    half = np.zeros(npsu, dtype=np.int64)  # R's weightstrata (1-based)
    upto = 0
    by_stratum: dict[str, list[int]] = {}
    for j in oo:
        by_stratum.setdefault(label[j], []).append(j)
    # strata with more than two PSUs are split into pairs first, then the pairs, each in
    # sorted order of the stratum labels
    large = sorted(k for k, v in ssize.items() if v > 2)
    good = sorted(k for k, v in ssize.items() if v == 2)
    for lab in large + good:
        members = by_stratum[lab]
        for pos, j in enumerate(members):
            half[j] = upto + pos // 2 + 1
            first_of_pair[j] = pos % 2 == 0
        upto += len(members) // 2
    h = hadamard(upto)
    nrep = h.shape[1]
    plus = h[half] == 1  # npsu x R: row `half` of H
    sel = np.where(first_of_pair[:, None], plus, ~plus)
    mult = np.where(sel, 2.0 - rho, rho)
    return mult[st.cluster], 1.0 / (nrep * (1 - rho) ** 2), np.ones(nrep)


def replicate_variance(thetas: FloatArray, full: FloatArray, rd: ReplicateDesign) -> FloatArray:
    """R's svrVar: thetas is R x p."""
    centre = full if rd.mse else thetas[rd.rscales > 0].mean(axis=0)
    d = (thetas - centre) * np.sqrt(rd.rscales)[:, None]
    return np.asarray(d.T @ d * rd.scale)
