"""The engine against independent computations at 1e-9 relative: a loop-based reference
of R's recursive variance, closed-form interval formulas, hand-made replicate weights and
calibration."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from vib.stats import StatsError, run_spec

from . import reference as ref
from .conftest import load

REL = 1e-9


def run1(
    datadir: Path, design: dict[str, Any], est: dict[str, Any], **extra: Any
) -> list[dict[str, Any]]:
    spec = {"data": extra.pop("data"), "design": design, "estimates": [{"id": "e", **est}], **extra}
    return run_spec(spec, base_dir=datadir)["estimates"][0]["rows"]


def with_weights(rows: list[dict[str, Any]], ids: list[str], fpc: list[str]) -> None:
    for r in rows:
        w = 1.0
        for s, _ in enumerate(ids):
            w *= r[f"_pop{s}"] / r["_npsu_" + f"_id{s}"]
        r["_w"] = w
    del fpc


@pytest.mark.parametrize("by", [None, "stype"])
def test_two_stage_fpc_domains(datadir: Path, by: str | None) -> None:
    rows = ref.load_rows = load("apiclus2.csv")
    ids, strata, pops = ref.prepare(rows, ["dnum", "snum"], None, ["fpc1", "fpc2"])
    with_weights(rows, ids, ["fpc1", "fpc2"])
    got = run1(
        datadir,
        {"ids": ["dnum", "snum"], "fpc": ["fpc1", "fpc2"]},
        {"statistic": "mean", "variable": "api00", **({"by": [by]} if by else {})},
        data="apiclus2.csv",
    )
    doms = [None] if by is None else sorted({r[by] for r in rows})
    assert len(got) == len(doms)
    for row, d in zip(got, doms, strict=True):
        m, xs = ref.domain_mean(rows, "api00", "_w", d, by)
        v = ref.multistage(rows, xs, ids, strata, pops, "fail")
        assert row["estimate"] == pytest.approx(m, rel=REL)
        assert row["se"] == pytest.approx(math.sqrt(v), rel=REL)


@pytest.mark.parametrize("lonely", ["remove", "certainty", "adjust", "average"])
@pytest.mark.parametrize("by", [None, "stype"])
def test_lonely_psu_matches_reference(datadir: Path, lonely: str, by: str | None) -> None:
    rows = load("apiclus1.csv")
    ids, strata, _ = ref.prepare(rows, ["cds"], "dnum", None)
    got = run1(
        datadir,
        {"ids": [], "strata": "dnum", "weights": "pw", "lonely_psu": lonely},
        {"statistic": "mean", "variable": "api00", **({"by": [by]} if by else {})},
        data="apiclus1.csv",
    )
    doms = [None] if by is None else sorted({r[by] for r in rows})
    for row, d in zip(got, doms, strict=True):
        # R computes a domain on the subset design: only the domain's rows are visited
        sub = [r for r in rows if by is None or r[by] == d]
        m, xs = ref.domain_mean(sub, "api00", "pw")
        v = ref.multistage(sub, xs, ids, strata, None, lonely)
        assert row["estimate"] == pytest.approx(m, rel=REL)
        assert row["se"] == pytest.approx(math.sqrt(v), rel=REL)


def test_lonely_fail_is_an_error(datadir: Path) -> None:
    with pytest.raises(StatsError, match="only one PSU"):
        run1(
            datadir,
            {"ids": [], "strata": "dnum", "weights": "pw"},
            {"statistic": "mean", "variable": "api00"},
            data="apiclus1.csv",
        )


def test_stratified_total_and_ratio_closed_form(datadir: Path) -> None:
    rows = load("apistrat.csv")
    got_t = run1(
        datadir,
        {"ids": [], "strata": "stype", "weights": "pw", "fpc": ["fpc"]},
        {"statistic": "total", "variable": "api00"},
        data="apistrat.csv",
    )[0]
    got_r = run1(
        datadir,
        {"ids": [], "strata": "stype", "weights": "pw", "fpc": ["fpc"]},
        {"statistic": "ratio", "numerator": "api00", "denominator": "api99"},
        data="apistrat.csv",
    )[0]
    tot = 0.0
    var_t = 0.0
    ty = sum(r["pw"] * r["api00"] for r in rows)
    tx = sum(r["pw"] * r["api99"] for r in rows)
    ratio = ty / tx
    var_r = 0.0
    for h in sorted({r["stype"] for r in rows}):
        hs = [r for r in rows if r["stype"] == h]
        n = len(hs)
        big_n = hs[0]["fpc"]
        z = [r["pw"] * r["api00"] for r in hs]
        e = [r["pw"] * (r["api00"] - ratio * r["api99"]) / tx for r in hs]
        tot += sum(z)
        for vals, acc in ((z, "t"), (e, "r")):
            mean = sum(vals) / n
            s2 = sum((v - mean) ** 2 for v in vals) / (n - 1)
            contrib = (1 - n / big_n) * n * s2
            if acc == "t":
                var_t += contrib
            else:
                var_r += contrib
    assert got_t["estimate"] == pytest.approx(tot, rel=REL)
    assert got_t["se"] == pytest.approx(math.sqrt(var_t), rel=REL)
    assert got_r["estimate"] == pytest.approx(ratio, rel=REL)
    assert got_r["se"] == pytest.approx(math.sqrt(var_r), rel=REL)


def test_factor_levels_and_deff(datadir: Path) -> None:
    rows = load("apisrs.csv")
    got = run1(
        datadir,
        {"ids": [], "fpc": ["fpc"]},
        {"statistic": "mean", "variable": "stype", "deff": True},
        data="apisrs.csv",
    )
    n = len(rows)
    big_n = rows[0]["fpc"]
    assert [g["level"] for g in got] == ["E", "H", "M"]
    for g in got:
        p = sum(r["stype"] == g["level"] for r in rows) / n
        # SRS without replacement: var = (1 - n/N) p(1-p)/(n-1)
        var = (1 - n / big_n) * p * (1 - p) / (n - 1)
        assert g["estimate"] == pytest.approx(p, rel=REL)
        assert g["se"] == pytest.approx(math.sqrt(var), rel=REL)
        # deff of an SRS without replacement is exactly 1
        assert g["deff"] == pytest.approx(1.0, rel=REL)
        assert g["df"] == n - 1


def _ci(datadir: Path, method: str, level: float = 0.95) -> dict[str, Any]:
    return run1(
        datadir,
        {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]},
        {
            "statistic": "proportion",
            "variable": {"column": "sch.wide", "op": "==", "value": "Yes"},
            "ci": method,
            "level": level,
        },
        data="apiclus1.csv",
    )[0]


@pytest.mark.parametrize("level", [0.95, 0.9])
def test_proportion_interval_methods_closed_form(datadir: Path, level: float) -> None:
    base = _ci(datadir, "mean", level)
    p, se, df = base["estimate"], base["se"], base["df"]
    assert df == 14
    a = 1 - level
    q = stats.t.ppf(1 - a / 2, df)
    assert (base["ci_low"], base["ci_high"]) == pytest.approx((p - q * se, p + q * se), rel=REL)
    logit = math.log(p / (1 - p))
    sel = se / (p * (1 - p))
    expect = (1 / (1 + math.exp(-(logit - q * sel))), 1 / (1 + math.exp(-(logit + q * sel))))
    for m in ("xlogit", "logit"):
        r = _ci(datadir, m, level)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx(expect, rel=REL)
    r = _ci(datadir, "asin", level)
    t0 = math.asin(math.sqrt(p))
    sa = se / (2 * math.sqrt(p * (1 - p)))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(
        (math.sin(t0 - q * sa) ** 2, math.sin(t0 + q * sa) ** 2), rel=REL
    )
    neff = p * (1 - p) / se**2
    r = _ci(datadir, "wilson", level)
    c = (p + q * q / (2 * neff)) / (1 + q * q / neff)
    h = q * math.sqrt(p * (1 - p) / neff + q * q / (4 * neff**2)) / (1 + q * q / neff)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((c - h, c + h), rel=REL)
    r = _ci(datadir, "beta", level)
    nb = neff * (stats.t.ppf(a / 2, 183 - 1) / stats.t.ppf(a / 2, df)) ** 2
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(
        (
            stats.beta.ppf(a / 2, nb * p, nb * (1 - p) + 1),
            stats.beta.ppf(1 - a / 2, nb * p + 1, nb * (1 - p)),
        ),
        rel=REL,
    )
    # R reads the likelihood interval off a spline through a profile on a grid (see
    # likelihood.py; its parity with R is in test_r_parity.py): close to, not exactly at,
    # the root of the Rao-Scott scaled deviance equation
    r = _ci(datadir, "likelihood", level)
    for bound in (r["ci_low"], r["ci_high"]):
        kl = p * math.log(p / bound) + (1 - p) * math.log((1 - p) / (1 - bound))
        assert 2 * neff * kl == pytest.approx(q * q, rel=2e-2)
    r = _ci(datadir, "normal", level)
    z = stats.norm.ppf(1 - a / 2)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((p - z * se, p + z * se), rel=REL)


def test_jk1_jkn_brr_by_hand(datadir: Path) -> None:
    rows = load("apistrat.csv")
    y = np.array([r["api00"] for r in rows])
    w = np.array([r["pw"] for r in rows])
    st = [r["stype"] for r in rows]
    mean = float((w * y).sum() / w.sum())
    # JKn: drop one unit at a time within its stratum
    reps = []
    rscales = []
    for i in range(len(rows)):
        h = st[i]
        nh = st.count(h)
        f = 1 - nh / rows[i]["fpc"]
        wr = np.array(
            [
                0.0 if j == i else (w[j] * nh / (nh - 1) if st[j] == h else w[j])
                for j in range(len(rows))
            ]
        )
        reps.append(float((wr * y).sum() / wr.sum()))
        rscales.append((nh - 1) / nh * f)
    reps_a = np.array(reps)
    v = float(np.sum(np.array(rscales) * (reps_a - reps_a.mean()) ** 2))
    got = run1(
        datadir,
        {"ids": [], "strata": "stype", "weights": "pw", "fpc": ["fpc"]},
        {"statistic": "mean", "variable": "api00"},
        data="apistrat.csv",
        replicates={"type": "JKn"},
    )[0]
    assert got["estimate"] == pytest.approx(mean, rel=REL)
    assert got["se"] == pytest.approx(math.sqrt(v), rel=REL)


def test_brr_and_fay_on_scd(datadir: Path, tmp_path: Path) -> None:
    rows = load("scd.csv")
    # 3 strata (ESA) with 2 ambulances each; half-samples from a 4x4 Hadamard matrix
    h = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]])
    for rho in (0.0, 0.3):
        reps = []
        for r in range(4):
            wr = []
            for row in rows:
                s = int(row["ESA"])
                first = row["ambulance"] == 1.0
                sel = (h[r, s] > 0) == first
                wr.append(2 - rho if sel else rho)
            wr_a = np.array(wr)
            a = np.array([x["arrests"] for x in rows])
            b = np.array([x["alive"] for x in rows])
            reps.append(float((wr_a * b).sum() / (wr_a * a).sum()))
        full = sum(x["alive"] for x in rows) / sum(x["arrests"] for x in rows)
        reps_a = np.array(reps)
        v = float(((reps_a - reps_a.mean()) ** 2).sum() / (4 * (1 - rho) ** 2))
        got = run1(
            datadir,
            {"ids": ["ambulance"], "strata": "ESA", "nest": True},
            {"statistic": "ratio", "numerator": "alive", "denominator": "arrests"},
            data="scd.csv",
            replicates={"type": "Fay" if rho else "BRR", "rho": rho},
        )[0]
        assert got["estimate"] == pytest.approx(full, rel=REL)
        assert got["se"] == pytest.approx(math.sqrt(v), rel=REL)


def test_given_replicate_columns_match_derived(datadir: Path, tmp_path: Path) -> None:
    rows = load("apiclus1.csv")
    dn = sorted({r["dnum"] for r in rows})
    n = len(dn)
    lines = ["dnum,pw,api00," + ",".join(f"r{k}" for k in range(n))]
    for r in rows:
        mult = [0.0 if r["dnum"] == d else n / (n - 1) for d in dn]
        lines.append(f"{r['dnum']},{r['pw']!r},{r['api00']!r}," + ",".join(map(repr, mult)))
    (tmp_path / "rep.csv").write_text("\n".join(lines) + "\n")
    given = run_spec(
        {
            "data": "rep.csv",
            "design": {"ids": ["dnum"], "weights": "pw"},
            "replicates": {
                "type": "JK1",
                "columns": [f"r{k}" for k in range(n)],
                "combined_weights": False,
            },
            "estimates": [{"id": "m", "statistic": "mean", "variable": "api00"}],
        },
        base_dir=tmp_path,
    )["estimates"][0]["rows"][0]
    derived = run1(
        datadir,
        {"ids": ["dnum"], "weights": "pw"},
        {"statistic": "mean", "variable": "api00"},
        data="apiclus1.csv",
        replicates={"type": "JK1"},
    )[0]
    assert given["se"] == pytest.approx(derived["se"], rel=REL)
    assert given["df"] == n - 1


def test_linear_calibration_greg_by_hand(datadir: Path) -> None:
    rows = load("apiclus1.csv")
    pop = {"(Intercept)": 6194, "stypeH": 755, "stypeM": 1018, "api99": 3914069}
    got = run_spec(
        {
            "data": "apiclus1.csv",
            "design": {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]},
            "calibration": [{"method": "linear", "terms": ["stype", "api99"], "population": pop}],
            "estimates": [{"id": "t", "statistic": "total", "variable": "api00"}],
            "output_weights": True,
        },
        base_dir=datadir,
    )
    x = np.array([[1.0, r["stype"] == "H", r["stype"] == "M", r["api99"]] for r in rows])
    w = np.array([r["pw"] for r in rows])
    y = np.array([r["api00"] for r in rows])
    t = np.array(list(pop.values()), dtype=float)
    lam = np.linalg.solve(x.T @ (x * w[:, None]), t - x.T @ w)
    g = 1 + x @ lam
    wc = w * g
    assert np.allclose(got["weights"], wc, rtol=REL, atol=0)
    assert x.T @ np.array(got["weights"]) == pytest.approx(t, rel=REL)
    beta = np.linalg.solve(x.T @ (x * w[:, None]), x.T @ (w * y))
    e = wc * (y - x @ beta)
    # one-stage cluster variance with fpc of the calibrated residuals
    dn = np.array([r["dnum"] for r in rows])
    tots = np.array([e[dn == d].sum() for d in np.unique(dn)])
    n = len(tots)
    v = (1 - n / 757) * n / (n - 1) * ((tots - tots.mean()) ** 2).sum()
    row = got["estimates"][0]["rows"][0]
    assert row["estimate"] == pytest.approx(float(wc @ y), rel=REL)
    assert row["se"] == pytest.approx(math.sqrt(v), rel=REL)


def test_poststratified_domain_keeps_full_design(datadir: Path) -> None:
    rows = load("apiclus1.csv")
    pop = {"E": 4421, "H": 755, "M": 1018}
    got = run1(
        datadir,
        {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]},
        {"statistic": "mean", "variable": "api00", "by": ["sch.wide"]},
        data="apiclus1.csv",
        calibration=[
            {
                "method": "poststratify",
                "variables": ["stype"],
                "population": [{"stype": k, "N": v} for k, v in pop.items()],
            }
        ],
    )
    w0 = np.array([r["pw"] for r in rows])
    st = np.array([r["stype"] for r in rows])
    w = w0 * np.array([pop[s] / w0[st == s].sum() for s in st])
    y = np.array([r["api00"] for r in rows])
    dn = np.array([r["dnum"] for r in rows])
    for row, d in zip(got, ["No", "Yes"], strict=True):
        ind = np.array([r["sch.wide"] == d for r in rows], dtype=float)
        big_n = (w * ind).sum()
        m = (w * ind * y).sum() / big_n
        z = ind * (y - m) / big_n
        zbar = {s: (w[st == s] * z[st == s]).sum() / w[st == s].sum() for s in pop}
        e = w * (z - np.array([zbar[s] for s in st]))
        tots = np.array([e[dn == k].sum() for k in np.unique(dn)])
        n = len(tots)
        v = (1 - n / 757) * n / (n - 1) * ((tots - tots.mean()) ** 2).sum()
        assert row["estimate"] == pytest.approx(m, rel=REL)
        assert row["se"] == pytest.approx(math.sqrt(v), rel=REL)


def test_contrast_uses_full_covariance(datadir: Path) -> None:
    spec = {
        "data": "apiclus1.csv",
        "design": {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]},
        "estimates": [{"id": "m", "statistic": "mean", "variable": "api00", "by": ["sch.wide"]}],
        "contrasts": [{"id": "d", "of": "m", "coefficients": [-1, 1]}],
        "tests": [{"type": "ttest", "variable": "api00", "group": "sch.wide"}],
    }
    out = run_spec(spec, base_dir=datadir)
    rows = load("apiclus1.csv")
    w = np.array([r["pw"] for r in rows])
    y = np.array([r["api00"] for r in rows])
    dn = np.array([r["dnum"] for r in rows])
    infl = np.zeros(len(rows))
    ests = []
    for sign, d in ((-1, "No"), (1, "Yes")):
        ind = np.array([r["sch.wide"] == d for r in rows], dtype=float)
        big_n = (w * ind).sum()
        m = (w * ind * y).sum() / big_n
        ests.append(m)
        infl += sign * w * ind * (y - m) / big_n
    tots = np.array([infl[dn == k].sum() for k in np.unique(dn)])
    n = len(tots)
    v = (1 - n / 757) * n / (n - 1) * ((tots - tots.mean()) ** 2).sum()
    c = out["contrasts"][0]
    assert c["estimate"] == pytest.approx(ests[1] - ests[0], rel=REL)
    assert c["se"] == pytest.approx(math.sqrt(v), rel=REL)
    t = out["tests"][0]
    assert t["statistic"] == pytest.approx(c["estimate"] / c["se"], rel=REL)
    assert t["df"] == 13
    assert t["p_value"] == pytest.approx(2 * stats.t.sf(abs(t["statistic"]), 13), rel=REL)


def test_rao_scott_on_srs_without_clustering(datadir: Path) -> None:
    """Independent check of svychisq: with-replacement SRS of equal weights; Delta from the
    formula on the estimated cell proportions and their covariance."""
    rows = load("apisrs.csv")
    spec = {
        "data": "apisrs.csv",
        "design": {"ids": []},
        "tests": [
            {"type": "chisq", "variables": ["stype", "awards"]},
            {"type": "chisq", "variables": ["stype", "awards"], "statistic": "Chisq"},
        ],
        "estimates": [],
    }
    out = run_spec(spec, base_dir=datadir)["tests"]
    n = len(rows)
    a = sorted({r["stype"] for r in rows})
    b = sorted({r["awards"] for r in rows})
    counts = np.array(
        [[sum(r["stype"] == i and r["awards"] == j for r in rows) for j in b] for i in a],
        dtype=float,
    )
    e = np.outer(counts.sum(1), counts.sum(0)) / n
    x2 = ((counts - e) ** 2 / e).sum()
    p = (counts / n).T.reshape(-1)  # row index fastest
    v = (np.diag(p) - np.outer(p, p)) / (n - 1)  # with-replacement SRS: var of cell means
    nr, nc = len(a), len(b)
    ri = np.tile(np.arange(nr), nc)
    ci = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack(
        [np.ones(nr * nc)]
        + [(ri == i) * 1.0 for i in range(1, nr)]
        + [(ci == j) * 1.0 for j in range(1, nc)]
    )
    inter = np.column_stack(
        [((ri == i) & (ci == j)) * 1.0 for j in range(1, nc) for i in range(1, nr)]
    )
    cm = inter - x1 @ np.linalg.lstsq(x1, inter, rcond=None)[0]
    dinv = np.diag(1 / p)
    delta = np.linalg.solve(cm.T @ dinv @ cm / n, cm.T @ dinv @ v @ dinv @ cm)
    tr = np.trace(delta)
    d0 = tr**2 / np.trace(delta @ delta)
    nu = n - 1
    assert out[0]["statistic"] == pytest.approx(x2 / tr, rel=REL)
    assert out[0]["df"] == pytest.approx(d0, rel=REL)
    assert out[0]["ddf"] == pytest.approx(d0 * nu, rel=REL)
    assert out[0]["p_value"] == pytest.approx(stats.f.sf(x2 / tr, d0, d0 * nu), rel=1e-8)
    df = (nr - 1) * (nc - 1)
    assert out[1]["statistic"] == pytest.approx(x2, rel=REL)
    assert out[1]["p_value"] == pytest.approx(stats.chi2.sf(x2 / (tr / df), df), rel=1e-8)
