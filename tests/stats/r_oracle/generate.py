"""Generates the cases of the differential suite against R (``make test-r``).

    python tests/stats/r_oracle/generate.py

writes ``cases.json`` (analysis specs, one per case, from fixed seeds) and the synthetic data
sets ``data/synth.csv`` and ``data/synthbrr.csv`` beside it; ``oracle.R`` then runs every case
through R's survey package and ``test_r_oracle.py`` compares every number with VIB. Each family
of features has its own seed, so adding cases to one family leaves the others unchanged.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
API = HERE.parent / "data"
OUT = HERE / "data"

Spec = dict[str, Any]

TEMPLATES: dict[str, Spec] = {
    "strat": {
        "data": "apistrat.csv",
        "design": {"strata": "stype", "weights": "pw", "fpc": ["fpc"]},
    },
    "stratwr": {"data": "apistrat.csv", "design": {"strata": "stype", "weights": "pw"}},
    "clus1": {"data": "apiclus1.csv", "design": {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]}},
    "clus1wr": {"data": "apiclus1.csv", "design": {"ids": ["dnum"], "weights": "pw"}},
    "clus2": {"data": "apiclus2.csv", "design": {"ids": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]}},
    "clus2wr": {"data": "apiclus2.csv", "design": {"ids": ["dnum", "snum"], "weights": "pw"}},
    "srs": {"data": "apisrs.csv", "design": {"fpc": ["fpc"]}},
    "srswr": {"data": "apisrs.csv", "design": {"weights": "pw"}},
    "synthnest": {
        "data": "../r_oracle/data/synth.csv",
        "design": {
            "ids": ["psu"],
            "strata": "h",
            "probs": "prob",
            "nest": True,
            "lonely_psu": "adjust",
        },
    },
    "synthfrac": {
        "data": "../r_oracle/data/synth.csv",
        "design": {
            "ids": ["psu"],
            "strata": "h",
            "fpc": ["frac"],
            "nest": True,
            "lonely_psu": "average",
        },
    },
    "synthbrr": {
        "data": "../r_oracle/data/synthbrr.csv",
        "design": {"ids": ["psu"], "strata": "h", "weights": "w"},
    },
}
API_TEMPLATES = [k for k in TEMPLATES if not k.startswith("synth")]

API_NUM = [
    "api00",
    "api99",
    "growth",
    "meals",
    "ell",
    "mobility",
    "acs.k3",
    "full",
    "emer",
    "avg.ed",
    "enroll",
    "target",
]
API_FACTOR = ["stype", "sch.wide", "awards", "yr.rnd", "both"]
API_BY = ["stype", "sch.wide", "awards", "yr.rnd", "both", "comp.imp"]
API_COND: list[Any] = [
    {"column": "sch.wide", "op": "==", "value": "Yes"},
    {"column": "api00", "op": ">", "value": 700},
    {"column": "meals", "op": "<", "value": 40},
    {"column": "stype", "op": "in", "value": ["E", "M"]},
    {"column": "awards", "op": "!=", "value": "No"},
    {"column": "acs.k3", "op": ">=", "value": 20},
    {"column": "ell", "op": "<=", "value": 10},
    {"column": "growth", "op": ">", "value": 30},
]
SYN_NUM = ["y", "x", "z"]
SYN_FACTOR = ["cat"]
SYN_BY = ["grp", "cat"]
SYN_COND: list[Any] = [
    {"column": "y", "op": ">", "value": 0},
    {"column": "cat", "op": "==", "value": "b"},
    {"column": "x", "op": "<", "value": 4},
]
CIS = ["t", "normal", "xlogit", "logit", "likelihood", "beta", "asin", "mean"]


def vars_for(template: str) -> tuple[list[str], list[str], list[str], list[Any]]:
    if template.startswith("synth"):
        return SYN_NUM, SYN_FACTOR, SYN_BY, SYN_COND
    if TEMPLATES[template]["data"] == "apisrs.csv":  # yr.rnd: one level and missing values
        return (
            API_NUM,
            [f for f in API_FACTOR if f != "yr.rnd"],
            [b for b in API_BY if b != "yr.rnd"],
            API_COND,
        )
    return API_NUM, API_FACTOR, API_BY, API_COND


def base(template: str) -> Spec:
    return json.loads(json.dumps(TEMPLATES[template]))


def rows_of(name: str) -> list[dict[str, str]]:
    path = (API / name).resolve()
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def synth(rng: random.Random) -> None:
    """A stratified two-level design with PSU labels repeated across strata (nest), selection
    probabilities, sampling fractions, lonely PSUs and missing values."""
    out = []
    for h in range(1, 13):
        npsu = 1 if h in (4, 9) else rng.randint(2, 5)
        frac = round(rng.uniform(0.05, 0.6), 3)
        for k in range(1, npsu + 1):
            for _ in range(rng.randint(2, 6)):
                y = round(rng.gauss(h / 3, 2), 4)
                out.append(
                    {
                        "h": f"s{h:02d}",
                        "psu": k,
                        "prob": round(rng.uniform(0.02, 0.3), 5),
                        "frac": frac,
                        "y": "" if rng.random() < 0.08 else y,
                        "x": round(rng.uniform(1, 9), 3),
                        "z": round(rng.expovariate(0.1), 3),
                        "cat": "" if rng.random() < 0.05 else rng.choice("abc"),
                        "grp": rng.choice(["u", "v"]),
                    }
                )
    write(OUT / "synth.csv", out)


def synthbrr(rng: random.Random) -> None:
    """Two PSUs per stratum (one stratum with four), for BRR and Fay, plus given replicate
    weight columns r1..r8 (random positive multipliers) and analysis weights a1..a8."""
    out = []
    for h in range(1, 10):
        for k in range(1, (4 if h == 5 else 2) + 1):
            for _ in range(rng.randint(2, 5)):
                w = round(rng.uniform(5, 40), 3)
                row: dict[str, Any] = {
                    "h": h,
                    "psu": h * 10 + k,
                    "w": w,
                    "y": "" if rng.random() < 0.06 else round(rng.gauss(50, 12), 3),
                    "x": round(rng.uniform(1, 9), 3),
                    "z": round(rng.expovariate(0.1), 3),
                    "cat": rng.choice("abc"),
                    "grp": rng.choice(["u", "v"]),
                }
                for r in range(1, 9):
                    m = round(rng.uniform(0.2, 1.8), 4)
                    row[f"r{r}"] = m
                    row[f"a{r}"] = round(m * w, 6)
                out.append(row)
    write(OUT / "synthbrr.csv", out)


def write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(exist_ok=True)
    with path.open("w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        wr.writeheader()
        wr.writerows(rows)


def pick_variable(rng: random.Random, template: str, statistic: str) -> Any:
    nums, facs, _, conds = vars_for(template)
    if statistic == "proportion":
        return rng.choice(conds)
    r = rng.random()
    if r < 0.6:
        return rng.choice(nums)
    if r < 0.8:
        return rng.choice(facs)
    return rng.choice(conds)


def pick_by(rng: random.Random, template: str, max_by: int = 2) -> list[str]:
    _, _, bys, _ = vars_for(template)
    k = rng.choice([0, 0, 1, 1, 1, 2][: 4 + max_by])
    return rng.sample(bys, min(k, len(bys)))


def estimate(rng: random.Random, template: str, i: int, **kw: Any) -> dict[str, Any]:
    statistic = kw.pop("statistic", None) or rng.choice(["mean", "total", "proportion", "ratio"])
    e: dict[str, Any] = {"id": f"e{i}", "statistic": statistic}
    nums, *_ = vars_for(template)
    if statistic == "ratio":
        e["numerator"] = rng.choice(nums)
        e["denominator"] = rng.choice([v for v in nums if v not in ("growth", "y")])
    else:
        e["variable"] = kw.pop("variable", None) or pick_variable(rng, template, statistic)
    by = kw.pop("by", None)
    e["by"] = pick_by(rng, template) if by is None else by
    ci = kw.pop("ci", None)
    if statistic == "proportion":
        e["ci"] = ci or rng.choice(CIS)
    else:
        e["ci"] = ci if ci in ("t", "normal") else rng.choice(["t", "t", "normal"])
    if rng.random() < 0.3:
        e["level"] = rng.choice([0.8, 0.9, 0.99])
    e.update(kw)
    return e


def population(template: str, variables: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """Population counts of the cells of ``variables``: the weighted sample count of the cell
    times a random factor (R and VIB must agree whatever the numbers are)."""
    spec = TEMPLATES[template]
    rows = rows_of(spec["data"])
    wcol = spec["design"].get("weights")
    cells: dict[tuple[str, ...], float] = {}
    for r in rows:
        key = tuple(r[v] for v in variables)
        w = float(r[wcol]) if wcol else float(r["fpc"]) / len(rows)
        cells[key] = cells.get(key, 0.0) + w
    return [
        {
            **{v: _value(k) for v, k in zip(variables, key, strict=True)},
            "N": round(total * rng.uniform(0.85, 1.15)),
        }
        for key, total in sorted(cells.items())
    ]


def _value(s: str) -> Any:
    try:
        f = float(s)
    except ValueError:
        return s
    return int(f) if f.is_integer() else f


def calibration(rng: random.Random, template: str) -> list[dict[str, Any]]:
    method = rng.choice(["poststratify", "rake", "linear"])
    if method == "poststratify":
        v = rng.choice([["stype"], ["sch.wide"], ["stype", "sch.wide"], ["awards"]])
        return [
            {"method": "poststratify", "variables": v, "population": population(template, v, rng)}
        ]
    if method == "rake":
        ms = rng.sample([["stype"], ["sch.wide"], ["awards"], ["yr.rnd"]], 2)
        step: dict[str, Any] = {
            "method": "rake",
            "margins": [{"variables": m, "population": population(template, m, rng)} for m in ms],
        }
        if rng.random() < 0.6:
            step["epsilon"] = 1e-10
            step["maxit"] = 100
        return [step]
    terms = rng.sample(["stype", "api99", "sch.wide", "meals"], rng.randint(1, 3))
    spec = TEMPLATES[template]
    rows = rows_of(spec["data"])
    wcol = spec["design"].get("weights")
    tot: dict[str, float] = {"(Intercept)": 0.0}
    for r in rows:
        w = float(r[wcol]) if wcol else float(r["fpc"]) / len(rows)
        tot["(Intercept)"] += w
        for t in terms:
            if t in ("stype", "sch.wide"):
                levels = sorted({x[t] for x in rows})
                for lv in levels[1:]:
                    tot[f"{t}{lv}"] = tot.get(f"{t}{lv}", 0.0) + w * (r[t] == lv)
            else:
                tot[t] = tot.get(t, 0.0) + w * float(r[t])
    pop = {k: round(v * rng.uniform(0.95, 1.05), 3) for k, v in tot.items()}
    return [{"method": "linear", "terms": terms, "population": pop}]


Case = dict[str, Any]


def family_taylor(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for _ in range(n):
        t = rng.choice(list(TEMPLATES))
        s = base(t)
        s["estimates"] = [
            estimate(rng, t, i, statistic=rng.choice(["mean", "total", "mean", "ratio"]))
            for i in range(rng.randint(1, 3))
        ]
        for e in s["estimates"]:
            if rng.random() < 0.15:
                e["na_rm"] = False
        out.append(s)
    return out


def family_intervals(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        t = rng.choice(list(TEMPLATES))
        s = base(t)
        s["estimates"] = [
            estimate(rng, t, 0, statistic="proportion", ci=CIS[k % len(CIS)], by=pick_by(rng, t, 1))
        ]
        out.append(s)
    return out


def family_lonely(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        lonely = ["fail", "remove", "certainty", "adjust", "average"][k % 5]
        if rng.random() < 0.5:
            s: Spec = {
                "data": "apiclus1.csv",
                "design": {"ids": [], "strata": "dnum", "weights": "pw", "lonely_psu": lonely},
            }
            t = "clus1"
        else:
            t = rng.choice(["synthnest", "synthfrac"])
            s = base(t)
            s["design"]["lonely_psu"] = lonely
        s["estimates"] = [estimate(rng, t, i) for i in range(rng.randint(1, 2))]
        if rng.random() < 0.3:
            _, _, _, conds = vars_for(t)
            s["subset"] = rng.choice(conds)
        out.append(s)
    return out


def family_replicates(rng: random.Random, n: int) -> list[Spec]:
    out = []
    choices = [
        ("clus1", "JK1"),
        ("srs", "JK1"),
        ("clus1wr", "JK1"),
        ("strat", "JKn"),
        ("stratwr", "JKn"),
        ("synthbrr", "BRR"),
        ("synthbrr", "Fay"),
        ("synthbrr", "JKn"),
        ("synthfrac", "JKn"),
    ]
    for k in range(n):
        t, typ = choices[k % len(choices)]
        s = base(t)
        if t == "synthfrac":
            s["design"]["lonely_psu"] = "remove"
        rep: dict[str, Any] = {"type": typ}
        if typ == "Fay":
            rep["rho"] = rng.choice([0.3, 0.5])
        if rng.random() < 0.3:
            rep["mse"] = True
        s["replicates"] = rep
        s["estimates"] = [
            estimate(rng, t, i, ci=rng.choice(["t", "normal", "xlogit", "beta", "mean", "asin"]))
            for i in range(rng.randint(1, 2))
        ]
        out.append(s)
    return out


def family_jkn_lonely(rng: random.Random, n: int) -> list[Spec]:
    """Derived JKn on designs with single-PSU strata, under each lonely-PSU treatment (R's
    jknweights adds a replicate for "adjust" and rescales for "average")."""
    out = []
    for k in range(n):
        t = ["synthfrac", "synthnest"][k % 2]
        s = base(t)
        s["design"]["lonely_psu"] = ["remove", "certainty", "adjust", "average", "fail"][k % 5]
        s["replicates"] = {"type": "JKn"}
        if rng.random() < 0.3:
            s["replicates"]["mse"] = True
        s["estimates"] = [estimate(rng, t, i) for i in range(rng.randint(1, 2))]
        out.append(s)
    return out


def family_given(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        s = base("synthbrr")
        typ = ["JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap"][k % 6]
        combined = rng.random() < 0.5
        cols = [f"a{r}" if combined else f"r{r}" for r in range(1, 9)]
        rep: dict[str, Any] = {"type": typ, "columns": cols, "combined_weights": combined}
        if typ == "JKn":
            rep["rscales"] = [round(rng.uniform(0.3, 0.9), 3) for _ in cols]
        if typ == "Fay":
            rep["rho"] = 0.5
        if typ in ("JK1", "bootstrap") and rng.random() < 0.5:
            rep["scale"] = round(rng.uniform(0.05, 0.5), 3)
        if rng.random() < 0.25:
            rep["mse"] = True
        s["replicates"] = rep
        s["estimates"] = [estimate(rng, "synthbrr", i) for i in range(rng.randint(1, 2))]
        out.append(s)
    return out


def family_bootstrap(rng: random.Random, n: int) -> list[Spec]:
    """R generates bootstrap and subbootstrap replicates (bootdata.R, fixed seeds) and
    writes their multipliers as columns; VIB must give the same numbers from them."""
    out = []
    files = [
        ("boot_clus1.csv", "clus1", "bootstrap"),
        ("boot_strat.csv", "strat", "bootstrap"),
        ("subboot_clus1.csv", "clus1", "subbootstrap"),
        ("subboot_stratwr.csv", "stratwr", "subbootstrap"),
    ]
    scales = (
        json.loads((HERE / "data" / "boot_scales.json").read_text())
        if (HERE / "data" / "boot_scales.json").exists()
        else {}
    )
    for k in range(n):
        f, t, typ = files[k % len(files)]
        s = base(t)
        s["data"] = "../r_oracle/data/" + f
        rep: dict[str, Any] = {
            "type": typ,
            "columns": [f"b{r}" for r in range(1, 51)],
            "combined_weights": False,
        }
        if f in scales:
            rep["scale"] = scales[f]
        if rng.random() < 0.25:
            rep["mse"] = True
        s["replicates"] = rep
        s["estimates"] = [
            estimate(rng, t, i, ci=rng.choice(["t", "normal", "xlogit", "beta"]))
            for i in range(rng.randint(1, 2))
        ]
        out.append(s)
    return out


def family_calibration(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        t = rng.choice(["clus1", "strat", "stratwr", "srs", "clus1wr"])
        s = base(t)
        if k % 3 == 2:
            s["replicates"] = {"type": "JK1" if t.startswith(("clus1", "srs")) else "JKn"}
        s["calibration"] = calibration(rng, t)
        s["estimates"] = [estimate(rng, t, i) for i in range(rng.randint(1, 2))]
        out.append(s)
    return out


def family_subset(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        t = rng.choice(list(TEMPLATES))
        s = base(t)
        _, _, _, conds = vars_for(t)
        s["subset"] = rng.choice(conds)
        if k % 4 == 3 and t in ("clus1", "strat", "synthbrr"):
            s["replicates"] = {"type": {"clus1": "JK1", "strat": "JKn", "synthbrr": "BRR"}[t]}
        s["estimates"] = [estimate(rng, t, i) for i in range(rng.randint(1, 2))]
        out.append(s)
    return out


def family_contrasts(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        t = rng.choice(["clus1", "strat", "clus2", "srswr", "synthbrr", "synthnest"])
        s = base(t)
        _, _, bys, _ = vars_for(t)
        by = rng.choice(bys)
        st = rng.choice(["mean", "total", "ratio", "mean"])
        e = estimate(rng, t, 0, statistic=st, by=[by])
        # R 4.1.1's svyby(covmat = TRUE) fails on variables with missing values
        complete = ["api00", "api99", "growth", "meals", "ell", "mobility", "x", "z"]
        nums = [v for v in vars_for(t)[0] if v in complete]
        if st != "ratio":
            e["variable"] = rng.choice(nums)
        else:
            e["numerator"], e["denominator"] = rng.sample([v for v in nums if v != "growth"], 2)
        s["estimates"] = [e]
        if k % 3 == 1 and t in ("clus1", "strat"):
            s["replicates"] = {"type": "JK1" if t == "clus1" else "JKn"}
        if k % 5 == 4:
            _, _, _, conds = vars_for(t)
            s["subset"] = rng.choice(conds)
        out.append(s)
    return out


def add_contrasts(spec: Spec, nrows: int, rng: random.Random) -> None:
    coefs = [0.0] * nrows
    if nrows >= 2:
        i, j = rng.sample(range(nrows), 2)
        coefs[i], coefs[j] = -1.0, 1.0
    else:
        coefs[0] = 1.0
    spec["contrasts"] = [{"id": "c0", "of": "e0", "coefficients": coefs}]
    if rng.random() < 0.4:
        spec["contrasts"].append(
            {
                "id": "c1",
                "of": "e0",
                "coefficients": [round(rng.uniform(-1, 1), 3) for _ in coefs],
                "level": 0.9,
            }
        )


def holds(row: dict[str, str], cond: dict[str, Any]) -> bool:
    v = row[cond["column"]]
    if v in ("", "NA"):
        return False
    val = cond["value"]
    x: Any = v
    if isinstance(val, int | float) or (isinstance(val, list) and isinstance(val[0], int | float)):
        x = float(v)
    op = cond["op"]
    if op == "in":
        return bool(x in val)
    return bool(
        {
            "==": x == val,
            "!=": x != val,
            "<": x < val,
            "<=": x <= val,
            ">": x > val,
            ">=": x >= val,
        }[op]
    )


def ndomains(spec: Spec) -> int:
    """Rows of the contrasted estimate: the domains with rows in the subset."""
    e = spec["estimates"][0]
    rows = rows_of(spec["data"])
    if spec.get("subset"):
        rows = [r for r in rows if holds(r, spec["subset"])]
    if not e["by"]:
        return 1
    return len({r[e["by"][0]] for r in rows if r[e["by"][0]] not in ("", "NA")})


def family_tests(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        t = rng.choice(["clus1", "strat", "clus2", "srs", "synthbrr", "synthnest", "clus1wr"])
        s = base(t)
        nums, facs, _, conds = vars_for(t)
        two = (
            ["sch.wide", "awards", "yr.rnd", "both", "comp.imp"]
            if not t.startswith("synth")
            else ["grp"]
        )
        if k % 2 == 0:
            test: dict[str, Any] = {
                "type": "ttest",
                "variable": rng.choice([*nums, *conds]),
                "group": rng.choice(two),
            }
        else:
            a, b = rng.sample([*facs, *two, *conds[:2]], 2)
            test = {"type": "chisq", "variables": [a, b], "statistic": rng.choice(["F", "Chisq"])}
        s["tests"] = [test]
        s["estimates"] = []
        if k % 4 == 3 and t in ("clus1", "strat"):
            s["replicates"] = {"type": "JK1" if t == "clus1" else "JKn"}
        if k % 5 == 2:
            s["subset"] = rng.choice(conds)
        out.append(s)
    return out


def family_weights(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        t = rng.choice(["clus1", "strat", "srs", "clus2"])
        s = base(t)
        if k % 2:
            s["calibration"] = calibration(rng, "clus1" if t == "clus2" else t)
            if t == "clus2":
                s = base("clus1") | {"calibration": s["calibration"]}
        if k % 3 == 2:
            s["replicates"] = {
                "type": "JK1" if s["data"] in ("apiclus1.csv", "apisrs.csv") else "JKn"
            }
            if s["data"] == "apiclus2.csv":
                s["replicates"]["type"] = "JK1"
        s["output_weights"] = True
        s["estimates"] = [estimate(rng, t, 0, statistic="mean", variable="api00", by=[])]
        out.append(s)
    return out


def family_deff(rng: random.Random, n: int) -> list[Spec]:
    out = []
    for k in range(n):
        t = rng.choice([*API_TEMPLATES, "synthnest"])
        s = base(t)
        st = rng.choice(["mean", "total", "ratio", "mean"])
        e = estimate(rng, t, 0, statistic=st, deff=rng.choice([True, "replace"]))
        s["estimates"] = [e]
        if k % 4 == 1:
            _, _, _, conds = vars_for(t)
            s["subset"] = rng.choice(conds)
        out.append(s)
    return out


def family_refusals(rng: random.Random) -> list[Spec]:
    """Specs R refuses: VIB must refuse them too (a StatsError, exit 2 in the CLI)."""
    out = []
    s = base("clus1")
    s["calibration"] = [
        {
            "method": "poststratify",
            "variables": ["stype"],
            "population": [
                {"stype": "E", "N": 4421},
                {"stype": "H", "N": 0},
                {"stype": "M", "N": 1018},
            ],
        }
    ]
    s["estimates"] = [{"id": "e0", "statistic": "mean", "variable": "api00"}]
    out.append(s)
    s = base("synthbrr")
    s["replicates"] = {"type": "Fay", "columns": [f"a{r}" for r in range(1, 9)]}
    s["estimates"] = [{"id": "e0", "statistic": "mean", "variable": "x"}]
    out.append(s)
    s = {
        "data": "apiclus1.csv",
        "design": {"ids": [], "strata": "dnum", "weights": "pw"},
        "estimates": [{"id": "e0", "statistic": "mean", "variable": "api00"}],
    }
    out.append(s)
    s = base("clus1")
    s["replicates"] = {"type": "JKn"}
    s["estimates"] = [{"id": "e0", "statistic": "mean", "variable": "api00"}]
    out.append(s)
    s = base("strat")
    s["replicates"] = {"type": "JK1"}
    s["estimates"] = [{"id": "e0", "statistic": "mean", "variable": "api00"}]
    out.append(s)
    s = base("strat")
    s["replicates"] = {"type": "BRR"}
    s["estimates"] = [{"id": "e0", "statistic": "mean", "variable": "api00"}]
    out.append(s)
    del rng
    return out


def apistrat_full() -> None:
    """apistrat with ``fpc_full``: stratum H declared fully sampled (N = n = 50)."""
    rows = rows_of("apistrat.csv")
    for r in rows:
        r["fpc_full"] = "50" if r["stype"] == "H" else r["fpc"]
    write(OUT / "apistrat_full.csv", rows)


DSTRAT = {"data": "apistrat.csv", "design": {"strata": "stype", "weights": "pw", "fpc": ["fpc"]}}
DCLUS1 = {"data": "apiclus1.csv", "design": {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]}}
POP_STYPE = [{"stype": "E", "N": 4421}, {"stype": "H", "N": 755}, {"stype": "M", "N": 1018}]
POP_SCHWIDE = [{"sch.wide": "No", "N": 1072}, {"sch.wide": "Yes", "N": 5122}]
YES = {"column": "sch.wide", "op": "==", "value": "Yes"}


def defects() -> dict[str, Spec]:
    """One case per defect of issue #16, named after it (tests/stats/test_r_defects.py)."""
    one = [{"id": "e0", "statistic": "mean", "variable": "api00"}]
    return {
        "defect-1-likelihood-unequal-weights": DSTRAT
        | {
            "estimates": [
                {"id": "e0", "statistic": "proportion", "variable": YES, "ci": "likelihood"}
            ]
        },
        "defect-2-replicate-df-after-calibration": {
            "data": "apistrat.csv",
            "design": {"ids": ["dnum"], "strata": "stype", "weights": "pw", "nest": True},
            "replicates": {"type": "JKn"},
            "calibration": [
                {"method": "poststratify", "variables": ["sch.wide"], "population": POP_SCHWIDE}
            ],
            "estimates": one,
        },
        "defect-3-jkn-fully-sampled-stratum": {
            "data": "../r_oracle/data/apistrat_full.csv",
            "design": {"strata": "stype", "weights": "pw", "fpc": ["fpc_full"]},
            "replicates": {"type": "JKn"},
            "estimates": [
                {"id": "e0", "statistic": "mean", "variable": "api00", "by": ["stype"]},
                {"id": "e1", "statistic": "total", "variable": "enroll"},
            ],
        },
        "defect-4-deff-empty-domain": DSTRAT
        | {
            "subset": {"column": "stype", "op": "==", "value": "E"},
            "estimates": [
                {
                    "id": "e0",
                    "statistic": "mean",
                    "variable": "api00",
                    "by": ["stype"],
                    "deff": True,
                }
            ],
        },
        "defect-5-scale-with-brr-columns": {
            "data": "../r_oracle/data/synthbrr.csv",
            "design": {"ids": ["psu"], "strata": "h", "weights": "w"},
            "replicates": {"type": "BRR", "columns": [f"a{r}" for r in range(1, 9)], "scale": 0.5},
            "estimates": [{"id": "e0", "statistic": "mean", "variable": "x"}],
        },
        "defect-5-scale-with-fay-columns": {
            "data": "../r_oracle/data/synthbrr.csv",
            "design": {"ids": ["psu"], "strata": "h", "weights": "w"},
            "replicates": {
                "type": "Fay",
                "rho": 0.5,
                "columns": [f"a{r}" for r in range(1, 9)],
                "scale": 0.5,
            },
            "estimates": [{"id": "e0", "statistic": "mean", "variable": "x"}],
        },
        "defect-6-korn-graubard-calibrated-replicate-domains": DCLUS1
        | {
            "replicates": {"type": "JK1"},
            "calibration": [
                {"method": "poststratify", "variables": ["stype"], "population": POP_STYPE}
            ],
            "estimates": [
                {
                    "id": "e0",
                    "statistic": "proportion",
                    "variable": YES,
                    "by": ["stype"],
                    "ci": "beta",
                }
            ],
        },
        "defect-7-poststratum-population-zero": DCLUS1
        | {
            "calibration": [
                {
                    "method": "poststratify",
                    "variables": ["stype"],
                    "population": [
                        {"stype": "E", "N": 4421},
                        {"stype": "H", "N": 0},
                        {"stype": "M", "N": 1018},
                    ],
                }
            ],
            "estimates": one,
        },
        "defect-7-fay-columns-without-rho": {
            "data": "../r_oracle/data/synthbrr.csv",
            "design": {"ids": ["psu"], "strata": "h", "weights": "w"},
            "replicates": {"type": "Fay", "columns": [f"a{r}" for r in range(1, 9)]},
            "estimates": [{"id": "e0", "statistic": "mean", "variable": "x"}],
        },
        "defect-8-empty-domains": DCLUS1
        | {
            "subset": {"column": "stype", "op": "!=", "value": "H"},
            "estimates": [{"id": "e0", "statistic": "mean", "variable": "api00", "by": ["stype"]}],
            "contrasts": [{"id": "c0", "of": "e0", "coefficients": [-1, 1]}],
        },
    }


FAMILIES: list[tuple[str, int, Callable[[random.Random, int], list[Spec]]]] = [
    ("taylor", 70, family_taylor),
    ("intervals", 96, family_intervals),
    ("lonely", 40, family_lonely),
    ("replicates", 63, family_replicates),
    ("given", 30, family_given),
    ("bootstrap", 20, family_bootstrap),
    ("calibration", 60, family_calibration),
    ("subset", 40, family_subset),
    ("contrasts", 30, family_contrasts),
    ("tests", 40, family_tests),
    ("weights", 16, family_weights),
    ("deff", 30, family_deff),
    ("jknlonely", 20, family_jkn_lonely),  # new families go last: the others keep their seeds
]


def main() -> None:
    synth(random.Random(7))
    synthbrr(random.Random(8))
    cases: list[Case] = []
    for seed, (name, n, fn) in enumerate(FAMILIES, start=100):
        rng = random.Random(seed)
        for k, spec in enumerate(fn(rng, n)):
            spec.setdefault("estimates", [])
            if name == "contrasts":
                add_contrasts(spec, ndomains(spec), rng)
            cases.append({"id": f"{name}-{k:03d}", "family": name, "spec": spec})
    apistrat_full()
    for name, spec in defects().items():
        cases.append({"id": name, "family": "defect", "spec": spec})
    for k, spec in enumerate(family_refusals(random.Random(99))):
        cases.append({"id": f"refusal-{k:03d}", "family": "refusal", "spec": spec})
    (HERE / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
