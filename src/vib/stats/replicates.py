"""Replicate-weight designs: JK1, JKn, BRR, Fay, bootstrap and subbootstrap, derived from a
design as R's
``as.svrepdesign`` does or given as columns as in ``svrepdesign``."""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
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
MAX_REPLICATE_CELLS = 100_000_000  # rows x replicates: 800 MB of float64 weights
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
    moved to the end and not counted).

    Only the rank is needed, so a moved column is dropped rather than carried to the end:
    dqrdc2 never examines it again, and the columns still to be examined are updated
    column by column, independently of it. Every step works on a view of the trailing
    block, so nothing is copied."""
    a = np.array(x, dtype=np.float64, copy=True)
    n, p = a.shape
    qraux = np.sqrt((a * a).sum(axis=0))
    work1 = qraux.copy()
    work2 = np.where(qraux == 0, 1.0, qraux)
    dropped = 0
    for ell in range(min(n, p)):
        # the trailing block: rows ell.., the columns not yet decided
        while a.shape[1] > 0 and qraux[0] < work2[0] * tol:
            a, qraux, work1, work2 = a[:, 1:], qraux[1:], work1[1:], work2[1:]
            dropped += 1
        if ell == n - 1 or a.shape[1] == 0:
            break
        col = a[:, 0]
        nrmxl = float(np.sqrt(col @ col))
        if nrmxl != 0.0:
            if col[0] != 0:
                nrmxl = math.copysign(nrmxl, col[0])
            col /= nrmxl
            col[0] += 1.0
            if a.shape[1] > 1:
                rest = a[:, 1:]
                t = -(col @ rest) / col[0]
                rest += np.outer(col, t)
                q = qraux[1:]
                nz = q != 0
                with np.errstate(divide="ignore", invalid="ignore"):
                    tt = np.maximum(1.0 - (np.abs(rest[0]) / q) ** 2, 0.0)
                small = nz & (np.abs(tt) < 1e-6)
                big = nz & ~small
                q[big] = q[big] * np.sqrt(tt[big])
                if small.any():
                    fresh = np.sqrt((rest[1:, small] ** 2).sum(axis=0))
                    q[small] = fresh
                    work1[1:][small] = fresh
        a, qraux, work1, work2 = a[1:, 1:], qraux[1:], work1[1:], work2[1:]
    return min(p - dropped, n)


_RANKS: OrderedDict[bytes, int] = OrderedDict()
_RANKS_MAX = 512
_RANKS_LOCK = threading.Lock()


def replicate_degf(weights: FloatArray, rows: npt.NDArray[np.bool_] | None = None) -> int:
    """R's degf() of a replicate design (restricted to ``rows``, as R's ``[`` recomputes it
    for a subset): rank of the analysis weights by qr(tol = 1e-5), minus one.

    The rank is the costly part of a replicate analysis (a pivoted QR in Python steps), and
    the same weights come back for every estimate, domain and spec on one design, so ranks
    are remembered by a digest of the matrix (a bounded LRU)."""
    w = weights if rows is None else weights[rows]
    if w.shape[0] == 0:
        return -1
    w = np.ascontiguousarray(w, dtype=np.float64)
    key = hashlib.blake2b(w.view(np.uint8), digest_size=20, person=b"vib-degf").digest()
    key += np.asarray(w.shape, dtype=np.int64).tobytes()
    with _RANKS_LOCK:
        if key in _RANKS:
            _RANKS.move_to_end(key)
            return _RANKS[key]
    rank = qr_rank(w, 1e-5) - 1
    with _RANKS_LOCK:
        _RANKS[key] = rank
        while len(_RANKS) > _RANKS_MAX:
            _RANKS.popitem(last=False)
    return rank


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


def build_replicates(  # noqa: C901, PLR0912
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
        elif spec.type in ("bootstrap", "subbootstrap"):
            scale = 1.0 / (nrep - 1)  # svrepdesign(type = "bootstrap"), bootstrap.average = 1
        else:
            if spec.rscales is None:
                raise StatsError(
                    "JKn with given replicate columns needs rscales", "replicates.rscales"
                )
            scale = 1.0
        # BRR and Fay fix their own scale: R's svrepdesign ignores a given one (with a warning
        # for BRR), and so do we
        if spec.scale is not None and spec.type not in ("BRR", "Fay"):
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
    # the replicate weights are an n x R matrix (and calibration copies it): refuse a spec
    # that would need gigabytes (JK1 on an element design has R = n) before allocating it
    nrep = spec.count if spec.type in ("bootstrap", "subbootstrap") else design.stages[0].nclusters
    if design.n * nrep > MAX_REPLICATE_CELLS:
        raise StatsError(
            f"{design.n} rows x {nrep} replicates is more replicate weights than the engine "
            f"holds ({MAX_REPLICATE_CELLS:,}); use fewer replicates, a cluster design, or "
            "linearisation (replicates: null)",
            "replicates.count" if spec.type in ("bootstrap", "subbootstrap") else "replicates.type",
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
        return _jkn(design)
    if spec.type in ("bootstrap", "subbootstrap"):
        return _bootstrap(design, spec)
    return _brr(design, spec, strata_labels)


def _jkn(design: Design) -> tuple[FloatArray, float, FloatArray]:
    """R's jknweights() as as.svrepdesign(type = "JKn") calls it: per stratum, drop one PSU
    and reweight the others by n_h/(n_h - 1), rscale (1 - n_h/N_h)(n_h - 1)/n_h. As R with its
    default ``survey.drop.replicates = TRUE``, a fully sampled stratum (N_h = n_h) gets no
    replicates; a stratum with one PSU gets none either, except with lonely_psu "adjust"
    (one replicate that drops it and multiplies every other PSU by H/(H - 1), rscale
    (H - 1)/H, H the number of strata); with "average" the scale becomes
    #PSU / #replicates when replicates are missing."""
    st = design.stages[0]
    nh = st.sampsize
    big_n = st.popsize
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.where(np.isinf(big_n), 1.0, (big_n - nh) / big_n)
    nstrat = st.nstrata
    npsu = st.nclusters
    cols: list[FloatArray] = []
    rscales: list[float] = []
    lonely = design.lonely_psu
    # strata and PSUs in order of first appearance, as R's unique()
    first_row = np.full(st.nclusters, design.n, dtype=np.int64)
    np.minimum.at(first_row, st.cluster, np.arange(design.n))
    psu_order = np.argsort(first_row, kind="stable")
    strata_order = list(dict.fromkeys(st.cluster_stratum[psu_order].tolist()))
    for h in strata_order:
        members = psu_order[st.cluster_stratum[psu_order] == h]
        n = int(nh[h])
        if fpc[h] == 0:
            continue  # fully sampled: its replicates carry no information (R drops them)
        if n == 1:
            if lonely == "fail":
                raise StatsError(
                    f"stratum {h + 1} has only one PSU (lonely_psu is 'fail')",
                    "design.lonely_psu",
                )
            if lonely == "adjust":
                col = np.full(npsu, nstrat / (nstrat - 1) if nstrat > 1 else 0.0)
                col[members] = 0.0
                cols.append(col)
                rscales.append((nstrat - 1) / nstrat)
            continue
        for j in members:
            col = np.ones(npsu)
            col[members] = n / (n - 1)
            col[j] = 0.0
            cols.append(col)
            rscales.append(float(fpc[h]) * (n - 1) / n)
    if not cols:
        raise StatsError(
            "every stratum was sampled completely, so there is no sampling variance "
            "(R: you have the whole population)",
            "design.fpc",
        )
    scale = 1.0
    if len(cols) < npsu and lonely == "average":
        scale = npsu / len(cols)
    mult = np.column_stack(cols)
    return mult[st.cluster], scale, np.asarray(rscales)


def _bootstrap(design: Design, spec: ReplicateSpec) -> tuple[FloatArray, float, FloatArray]:
    """Bootstrap replicates generated from ``spec.seed`` by the schemes of R's
    as.svrepdesign (bootweights, subbootweights):

    - ``subbootstrap`` (Rao and Wu's rescaled bootstrap with m_h = n_h - 1): in every stratum
      draw n_h - 1 of its n_h PSUs with replacement; a PSU's multiplier is the number of
      times it was drawn times n_h/(n_h - 1); scale 1/(R - 1).
    - ``bootstrap`` (m_h = n_h, as R's bootweights): draw n_h PSUs with replacement, or, with
      an fpc, n_h without replacement from the PSUs repeated to the stratum's population
      size; multiplier = times drawn; scale n̄/((n̄ - 1)(R - 1)) with n̄ the harmonic mean
      number of PSUs per stratum.

    numpy's generator is not R's, so the replicates are R's in distribution, not draw for
    draw (given R's replicate weights as columns, the estimates are R's exactly)."""
    st = design.stages[0]
    nrep = spec.count
    rng = np.random.default_rng(spec.seed)
    mult = np.zeros((st.nclusters, nrep))
    sizes = np.bincount(st.cluster_stratum, minlength=st.nstrata)
    for h in range(st.nstrata):
        members = np.flatnonzero(st.cluster_stratum == h)
        n = len(members)
        if spec.type == "subbootstrap":
            if n < 2:
                raise StatsError(
                    f"stratum {h + 1} has only one PSU; the subbootstrap draws n - 1 PSUs "
                    "per stratum, so every stratum needs two or more",
                    "replicates.type",
                )
            draws = rng.integers(0, n, size=(nrep, n - 1))
            factor = n / (n - 1)
        else:
            big_n = st.popsize[h]
            if np.isinf(big_n):
                draws = rng.integers(0, n, size=(nrep, n))
            else:
                # sample n of the PSUs repeated (in a random order) to the population size
                order = rng.permutation(n)
                size = int(big_n)
                pos = np.stack([rng.choice(size, size=n, replace=False) for _ in range(nrep)])
                draws = order[pos % n]
            factor = 1.0
        flat = (draws + n * np.arange(nrep)[:, None]).ravel()
        counts = np.bincount(flat, minlength=nrep * n).reshape(nrep, n)
        mult[members] = counts.T * factor
    if spec.type == "subbootstrap":
        scale = 1.0 / (nrep - 1)
    else:
        nbar = 1.0 / float(np.mean(1.0 / sizes[sizes > 0]))
        if nbar <= 1:
            raise StatsError("the bootstrap needs strata with two or more PSUs", "replicates.type")
        scale = nbar / ((nbar - 1) * (nrep - 1))
    return mult[st.cluster], scale, np.ones(nrep)


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
    if rd.mse:
        centre = full
    else:
        used = thetas[rd.rscales > 0]
        centre = used.mean(axis=0)
        # R's mean() refines the quotient with a second pass, so replicates that are all
        # equal (a fully sampled domain) give a variance of exactly 0, not rounding noise
        centre = centre + (used - centre).mean(axis=0)
    d = (thetas - centre) * np.sqrt(rd.rscales)[:, None]
    return np.asarray(d.T @ d * rd.scale)
