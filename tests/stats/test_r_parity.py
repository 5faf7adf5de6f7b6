"""Parity with R's survey package where R's result is defined by its algorithm rather than a
closed formula: the Hadamard matrix and half-samples of derived BRR/Fay, the likelihood
interval of svyciprop, degf() of replicate designs and their domains, and the fpc check.

Expected values: ``r_reference.json``, printed by R 4.2.2 / survey 4.1.1 with
``r_reference.R`` (in this folder, with the command to regenerate it). Independent checks
(Hadamard property, the half-sample rule of brrweights, R's FMM spline from its defining
conditions) are made alongside."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vib.stats import StatsError, run_spec
from vib.stats.data import Table
from vib.stats.engine import build_context, run_table
from vib.stats.likelihood import fmm_spline
from vib.stats.replicates import hadamard, qr_rank
from vib.stats.spec import parse_spec

# Agreement with R (make test-fast leaves these out; make test-r regenerates R's side).
pytestmark = pytest.mark.r_parity


REL = 1e-9
R = json.loads((Path(__file__).parent / "r_reference.json").read_text())


@pytest.mark.parametrize("n", range(1, 261))
def test_hadamard_is_the_matrix_r_picks(n: int) -> None:
    h = hadamard(n)
    k = h.shape[0]
    order, ones, checksum = R["hadamard"][str(n)]
    i, j = np.meshgrid(np.arange(1, k + 1), np.arange(1, k + 1), indexing="ij")
    assert (k, int(h.sum()), int((h * ((131 * i + 71 * j) % 1009)).sum())) == (
        order,
        ones,
        checksum,
    )
    pm = 2 * h - 1  # a Hadamard matrix: H Hᵀ = k I
    assert (pm @ pm.T == k * np.eye(k, dtype=np.int64)).all()
    assert k > n


def brr_data(n_strata: int) -> dict[str, np.ndarray]:
    """The deterministic design of r_reference.R (same formula, same row order)."""
    st, psu, y, w = [], [], [], []
    for h in range(1, n_strata + 1):
        for k in range(1, (4 if h % 7 == 3 else 2) + 1):
            for r in range(1, 4):
                st.append(h)
                psu.append(h * 100 + k)
                y.append(math.sin(h * 7.3 + k * 1.9 + r * 0.7))
                w.append(1 + ((h * 13 + k * 7 + r * 3) % 11) / 3)
    nrow = len(st)
    order = np.argsort([(i * 37) % nrow for i in range(1, nrow + 1)], kind="stable")
    cols = {"st": st, "psu": psu, "y": y, "w": w}
    return {k: np.asarray(v, dtype=np.float64)[order] for k, v in cols.items()}


@pytest.mark.parametrize("n_strata", [2, 5, 11, 17, 20, 31, 40, 63])
def test_derived_brr_and_fay_match_r(n_strata: int) -> None:
    expect = R["brr"][str(n_strata)]
    cols = brr_data(n_strata)
    for rtype, key in (("BRR", "se"), ("Fay", "se_fay")):
        spec = parse_spec(
            {
                "data": "-",
                "design": {"ids": ["psu"], "strata": "st", "weights": "w"},
                "replicates": {"type": rtype, "rho": 0.3 if rtype == "Fay" else 0},
                "estimates": [{"id": "m", "statistic": "mean", "variable": "y"}],
            }
        )
        ctx = build_context(spec, Table(cols))
        assert ctx.replicates is not None
        mult = ctx.replicates.weights / ctx.weights[:, None]
        assert mult.shape[1] == expect["nrep"]
        # brrweights: the two PSUs of a pair always get complementary factors
        rho = 0.3 if rtype == "Fay" else 0.0
        assert set(np.round(np.unique(mult), 12)) <= {round(rho, 12), round(2 - rho, 12)}
        row = run_table(spec, Table(cols))["estimates"][0]["rows"][0]
        assert row["estimate"] == pytest.approx(expect["mean"], rel=REL)
        assert row["se"] == pytest.approx(expect[key], rel=REL)
        assert row["df"] == expect["degf"]


def _lik(
    datadir: Path,
    design: dict[str, Any],
    cond: dict[str, Any],
    *,
    by: str | None = None,
    level: float = 0.95,
    ci: str = "likelihood",
) -> list[dict[str, Any]]:
    spec = {
        "data": "apiclus1.csv" if "dnum" in json.dumps(design) else "apistrat.csv",
        "design": design,
        "estimates": [
            {
                "id": "p",
                "statistic": "proportion",
                "variable": cond,
                "ci": ci,
                "level": level,
                **({"by": [by]} if by else {}),
            }
        ],
    }
    return run_spec(spec, base_dir=datadir)["estimates"][0]["rows"]


DCLUS1 = {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]}
DSTRAT = {"ids": [], "strata": "stype", "weights": "pw", "fpc": ["fpc"]}


@pytest.mark.parametrize(
    ("key", "cond", "level"),
    [
        ("dclus1 ell==0", {"column": "ell", "op": "==", "value": 0}, 0.95),
        ("dclus1 sch.wide==Yes", {"column": "sch.wide", "op": "==", "value": "Yes"}, 0.95),
        ("dclus1 api00>700", {"column": "api00", "op": ">", "value": 700}, 0.95),
        ("dclus1 meals>50 level 0.9", {"column": "meals", "op": ">", "value": 50}, 0.9),
    ],
)
def test_likelihood_interval_as_r(
    datadir: Path, key: str, cond: dict[str, Any], level: float
) -> None:
    row = _lik(datadir, DCLUS1, cond, level=level)[0]
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(R["likelihood"][key], rel=REL)


@pytest.mark.parametrize(("name", "design"), [("dstrat", DSTRAT), ("dclus1", DCLUS1)])
def test_likelihood_interval_by_domain_as_r(
    datadir: Path, name: str, design: dict[str, Any]
) -> None:
    rows = _lik(datadir, design, {"column": "api00", "op": ">", "value": 700}, by="stype")
    for row in rows:
        s = row["domain"]["stype"]
        expect = R["likelihood"][f"{name} api00>700 stype={s}"]
        assert [row["ci_low"], row["ci_high"]] == pytest.approx(expect, rel=REL)


def test_logit_interval_as_r(datadir: Path) -> None:
    """R's "logit" is the Wald interval of the IRLS intercept, not of logit(p̂): they differ
    by glm's convergence tolerance (6e-9 relative for ell == 0)."""
    row = _lik(datadir, DCLUS1, {"column": "ell", "op": "==", "value": 0}, ci="logit")[0]
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(R["logit"]["dclus1 ell==0"], rel=REL)
    row = _lik(datadir, DCLUS1, {"column": "meals", "op": ">", "value": 50}, ci="logit", level=0.9)[
        0
    ]
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(
        R["logit"]["dclus1 meals>50 level 0.9"], rel=REL
    )
    for row in _lik(
        datadir, DSTRAT, {"column": "api00", "op": ">", "value": 700}, by="stype", ci="logit"
    ):
        expect = R["logit"][f"dstrat api00>700 stype={row['domain']['stype']}"]
        assert [row["ci_low"], row["ci_high"]] == pytest.approx(expect, rel=REL)


def test_fmm_spline_conditions() -> None:
    """Independent check of the spline R's confint uses: it interpolates, is C² at the
    knots, and its end third derivatives equal those of the cubics through the first and
    last four points (Forsythe, Malcolm and Moler)."""
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0, 3, 9))
    y = np.cumsum(rng.normal(size=9))
    b, c, d = fmm_spline(x, y)
    h = np.diff(x)
    # value, first and second derivative continuity
    end = y[:-1] + h * (b[:-1] + h * (c[:-1] + h * d[:-1]))
    np.testing.assert_allclose(end, y[1:], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b[:-1] + h * (2 * c[:-1] + 3 * h * d[:-1]), b[1:], rtol=1e-10)
    np.testing.assert_allclose(c[:-1] + 3 * h * d[:-1], c[1:], rtol=1e-10, atol=1e-10)
    for sl, third in ((slice(0, 4), 6 * d[0]), (slice(5, 9), 6 * d[-2])):
        cubic = np.polyfit(x[sl], y[sl], 3)
        assert third == pytest.approx(6 * cubic[0], rel=1e-8)


@pytest.mark.parametrize(
    ("name", "design", "rtype", "by"),
    [
        ("rclus1", DCLUS1, "JK1", "stype"),
        ("rclus1", DCLUS1, "JK1", "sch.wide"),
        ("rstrat", DSTRAT, "JKn", "stype"),
    ],
)
def test_replicate_domain_df_is_r_degf_of_the_subset(
    datadir: Path, name: str, design: dict[str, Any], rtype: str, by: str
) -> None:
    data = "apiclus1.csv" if name == "rclus1" else "apistrat.csv"
    spec = {
        "data": data,
        "design": design,
        "replicates": {"type": rtype},
        "estimates": [
            {"id": "m", "statistic": "mean", "variable": "api00", "by": [by]},
            {"id": "a", "statistic": "mean", "variable": "api00"},
        ],
    }
    out = run_spec(spec, base_dir=datadir)["estimates"]
    for row in out[0]["rows"]:
        assert row["df"] == R["degf"][f"{name} {by}={row['domain'][by]}"]
    assert out[1]["rows"][0]["df"] == R["degf"][name]


def test_qr_rank_counts_independent_columns() -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(size=(40, 6))
    x = np.column_stack([a, a[:, 0] + a[:, 1], 2 * a[:, 2], np.zeros(40)])
    assert qr_rank(x) == 6
    assert qr_rank(a) == 6
    assert qr_rank(np.ones((5, 3))) == 1


def test_fpc_for_only_some_stages_is_an_error_as_in_r(datadir: Path) -> None:
    assert R["fpc_one_of_two_stages"] == "non-conformable arrays"
    for fpc in (["fpc1"], ["fpc1", "fpc2", "fpc2"]):
        with pytest.raises(StatsError, match="fpc") as exc:
            run_spec(
                {
                    "data": "apiclus2.csv",
                    "design": {"ids": ["dnum", "snum"], "fpc": fpc},
                    "estimates": [{"id": "m", "statistic": "mean", "variable": "api00"}],
                },
                base_dir=datadir,
            )
        assert exc.value.args[0].startswith("design.fpc") or "fpc" in str(exc.value)
