"""Hypothesis-based invariances."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vib.stats.data import Table
from vib.stats.engine import run_table
from vib.stats.spec import parse_spec

SETTINGS = settings(max_examples=25, deadline=None)


def table(cols: dict[str, Any]) -> Table:
    out = {}
    for k, v in cols.items():
        arr = np.asarray(v)
        out[k] = arr.astype(float) if arr.dtype.kind in "if" else arr.astype(object)
    return Table(out)


def run(tbl: Table, **spec: Any) -> dict[str, Any]:
    return run_table(parse_spec({"data": "-", **spec}), tbl)


samples = st.integers(min_value=8, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=n, max_size=n),
        st.lists(st.floats(0.5, 50), min_size=n, max_size=n),
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
        st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n),
    )
)


def _cols(s: tuple[list[float], list[float], list[int], list[str]]) -> dict[str, Any]:
    y, w, h, g = s
    n = len(y)
    # make sure every stratum has at least two units
    h = [i % 3 if k < 6 else v for k, (i, v) in enumerate(zip(range(n), h, strict=True))]
    g = ["a", "b"] * 2 + g[4:]
    return {"y": y, "w": w, "h": h, "g": g, "psu": list(range(n))}


@SETTINGS
@given(samples, st.floats(0.01, 1000))
def test_scaling_weights_leaves_means_unchanged(s: Any, c: float) -> None:
    cols = _cols(s)
    design = {"ids": [], "strata": "h", "weights": "w"}
    est = [{"id": "m", "statistic": "mean", "variable": "y", "by": ["g"]}]
    a = run(table(cols), design=design, estimates=est)["estimates"][0]["rows"]
    cols2 = {**cols, "w": [x * c for x in cols["w"]]}
    b = run(table(cols2), design=design, estimates=est)["estimates"][0]["rows"]
    for ra, rb in zip(a, b, strict=True):
        assert math.isclose(ra["estimate"], rb["estimate"], rel_tol=1e-9, abs_tol=1e-9)
        assert math.isclose(ra["se"], rb["se"], rel_tol=1e-7, abs_tol=1e-9)


@SETTINGS
@given(samples)
def test_domain_estimate_equals_subset_estimate(s: Any) -> None:
    cols = _cols(s)
    design = {"ids": [], "strata": "h", "weights": "w"}
    dom = run(
        table(cols),
        design=design,
        estimates=[{"id": "m", "statistic": "mean", "variable": "y", "by": ["g"]}],
    )
    for row in dom["estimates"][0]["rows"]:
        sub = run(
            table(cols),
            design=design,
            subset={"column": "g", "op": "==", "value": row["domain"]["g"]},
            estimates=[{"id": "m", "statistic": "mean", "variable": "y"}],
        )
        srow = sub["estimates"][0]["rows"][0]
        assert math.isclose(row["estimate"], srow["estimate"], rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(row["se"], srow["se"], rel_tol=1e-12, abs_tol=1e-12)
        assert row["df"] == srow["df"]
        assert row["n"] == srow["n"]


@SETTINGS
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=80))
def test_srs_with_replacement_textbook_se(y: list[float]) -> None:
    n = len(y)
    out = run(
        table({"y": y}),
        design={"ids": []},
        estimates=[
            {"id": "m", "statistic": "mean", "variable": "y"},
            {"id": "t", "statistic": "total", "variable": "y"},
        ],
    )
    mean = sum(y) / n
    s2 = sum((v - mean) ** 2 for v in y) / (n - 1)
    row = out["estimates"][0]["rows"][0]
    assert math.isclose(row["estimate"], mean, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(row["se"], math.sqrt(s2 / n), rel_tol=1e-7, abs_tol=1e-7)
    assert row["df"] == n - 1
    tot = out["estimates"][1]["rows"][0]
    # equal weights 1: the total's SE is n * se(mean)
    assert math.isclose(tot["se"], n * math.sqrt(s2 / n), rel_tol=1e-7, abs_tol=1e-6)


@SETTINGS
@given(samples)
def test_raking_to_matching_margins_leaves_weights(s: Any) -> None:
    cols = _cols(s)
    w = np.asarray(cols["w"])
    h = np.asarray(cols["h"])
    g = np.asarray(cols["g"])
    margins = [
        {
            "variables": ["h"],
            "population": [{"h": k, "N": float(w[h == k].sum())} for k in sorted(set(h.tolist()))],
        },
        {
            "variables": ["g"],
            "population": [{"g": k, "N": float(w[g == k].sum())} for k in sorted(set(g.tolist()))],
        },
    ]
    out = run(
        table(cols),
        design={"ids": [], "weights": "w"},
        calibration=[{"method": "rake", "margins": margins, "epsilon": 1e-10, "maxit": 50}],
        estimates=[],
        output_weights=True,
    )
    assert np.allclose(out["weights"], w, rtol=1e-9, atol=0)


def test_no_python_level_path_dependence(tmp_path: Path) -> None:
    """Sanity: Table built in memory and from CSV give the same numbers."""
    cols = {"y": [1.0, 2.0, 4.0, 8.0], "w": [1.0, 2.0, 1.0, 3.0]}
    (tmp_path / "d.csv").write_text(
        "y,w\n" + "\n".join(f"{a},{b}" for a, b in zip(cols["y"], cols["w"], strict=True))
    )
    from vib.stats import run_spec

    spec = {
        "data": "d.csv",
        "design": {"ids": [], "weights": "w"},
        "estimates": [{"id": "m", "statistic": "mean", "variable": "y"}],
    }
    assert run_spec(spec, base_dir=tmp_path) == run(
        table(cols), **{k: v for k, v in spec.items() if k != "data"}
    )
