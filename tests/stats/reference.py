"""A slow, loop-based reference implementation written straight from the formulas of
R's survey package (svyrecvar/onestrat/multistage), used to check the vectorised engine."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

Row = dict[str, Any]


def onestrat(
    xs: list[float], clusters: list[Any], n_psu: int, popsize: float, lonely: str
) -> float | None:
    f = 1.0 if math.isinf(popsize) else (popsize - n_psu) / popsize
    if f < 1e-7:
        return 0.0
    totals: dict[Any, float] = defaultdict(float)
    for x, c in zip(xs, clusters, strict=True):
        totals[c] += x
    vals = list(totals.values()) + [0.0] * (n_psu - len(totals))
    if lonely != "adjust" or len(totals) > 1 or n_psu > 1:
        m = sum(vals) / len(vals)
        vals = [v - m for v in vals]
    ss = sum(v * v for v in vals)
    if n_psu > 1:
        return ss * f * n_psu / (n_psu - 1)
    if lonely == "average":
        return None
    if lonely == "fail":
        raise ValueError("lonely PSU")
    return ss * f


def multistage(
    rows: list[Row],
    xs: list[float],
    ids: list[str],
    strata: list[str],
    popsize: list[str] | None,
    lonely: str,
) -> float:
    """rows carry columns named in ids/strata/popsize (stage-specific, already nested)."""
    by_stratum: dict[Any, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_stratum[r[strata[0]]].append(i)
    parts = []
    for idx in by_stratum.values():
        n_psu = rows[idx[0]]["_npsu_" + ids[0]]
        pop = math.inf if popsize is None else rows[idx[0]][popsize[0]]
        parts.append(
            onestrat([xs[i] for i in idx], [rows[i][ids[0]] for i in idx], n_psu, pop, lonely)
        )
    ok = [p for p in parts if p is not None]
    v = sum(ok) * len(parts) / len(ok) if ok else math.nan
    if popsize is not None and len(ids) > 1:
        by_cluster: dict[Any, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            by_cluster[r[ids[0]]].append(i)
        for idx in by_cluster.values():
            sub = [rows[i] for i in idx]
            frac = sub[0]["_npsu_" + ids[0]] / sub[0][popsize[0]]
            v += (
                multistage(sub, [xs[i] for i in idx], ids[1:], strata[1:], popsize[1:], lonely)
                * frac
            )
    return v


def prepare(
    rows: list[Row], ids: list[str], strata: str | None, fpc: list[str] | None
) -> tuple[list[str], list[str], list[str] | None]:
    """Nest ids and strata as svydesign does; store sample and population sizes."""
    stage_ids = []
    stage_strata = []
    for s, _name in enumerate(ids):
        key = f"_id{s}"
        for r in rows:
            r[key] = tuple(r[n] for n in ids[: s + 1])
        stage_ids.append(key)
        skey = f"_st{s}"
        for r in rows:
            r[skey] = (r[strata] if strata else 1) if s == 0 else r[f"_id{s - 1}"]
        stage_strata.append(skey)
    for s in range(len(ids)):
        groups: dict[Any, set[Any]] = defaultdict(set)
        for r in rows:
            groups[r[stage_strata[s]]].add(r[stage_ids[s]])
        for r in rows:
            r["_npsu_" + stage_ids[s]] = len(groups[r[stage_strata[s]]])
    pops = None
    if fpc:
        pops = []
        for s, name in enumerate(fpc):
            key = f"_pop{s}"
            for r in rows:
                v = r[name]
                r[key] = v if v > 1 else r["_npsu_" + stage_ids[s]] / v
            pops.append(key)
    return stage_ids, stage_strata, pops


def domain_mean(
    rows: list[Row], y: str, w: str, dom: Any = None, dom_col: str | None = None
) -> tuple[float, list[float]]:
    """Weighted domain mean and its influence values (zero outside the domain)."""
    ind = [1.0 if dom_col is None or r[dom_col] == dom else 0.0 for r in rows]
    ind = [i if rows[k][y] is not None else 0.0 for k, i in enumerate(ind)]
    big_n = sum(r[w] * i for r, i in zip(rows, ind, strict=True))
    m = sum(r[w] * (r[y] or 0.0) * i for r, i in zip(rows, ind, strict=True)) / big_n
    xs = [r[w] * ((r[y] or 0.0) - m) * i / big_n for r, i in zip(rows, ind, strict=True)]
    return m, xs
