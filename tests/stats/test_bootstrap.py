"""Bootstrap replicate weights generated from a seed (``bootstrap`` as R's bootweights,
``subbootstrap`` = Rao and Wu's rescaled bootstrap). numpy's generator is not R's, so these
test the scheme's defining properties; agreement with R given R's own replicate weights is
in the differential suite (``test_r_oracle.py``, family ``bootstrap``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vib.stats import StatsError
from vib.stats.cli import main
from vib.stats.data import Table
from vib.stats.engine import build_context, run_table
from vib.stats.spec import parse_spec

from .conftest import DATA


def design_table(sizes: list[int], rows_per_psu: int = 3, seed: int = 0) -> Table:
    """Strata with the given numbers of PSUs, a few rows each, unequal weights."""
    rng = np.random.default_rng(seed)
    st, psu, w, y = [], [], [], []
    p = 0
    for h, n in enumerate(sizes):
        for _ in range(n):
            p += 1
            for _ in range(rows_per_psu):
                st.append(h)
                psu.append(p)
                w.append(rng.uniform(1, 5))
                y.append(rng.normal(10 + h, 3))
    cols = {"st": st, "psu": psu, "w": w, "y": y}
    return Table({k: np.asarray(v, dtype=np.float64) for k, v in cols.items()})


def spec(kind: str, count: int = 50, seed: int = 7, **design: Any) -> dict[str, Any]:
    return {
        "data": "-",
        "design": {"ids": ["psu"], "strata": "st", "weights": "w", **design},
        "replicates": {"type": kind, "count": count, "seed": seed},
        "estimates": [{"id": "t", "statistic": "total", "variable": "y"}],
    }


def multipliers(s: dict[str, Any], table: Table) -> tuple[np.ndarray, Any]:
    ctx = build_context(parse_spec(s), table)
    assert ctx.replicates is not None
    return ctx.replicates.weights / ctx.weights[:, None], ctx


def per_psu(mult: np.ndarray, table: Table) -> np.ndarray:
    psu = table.columns["psu"].astype(int)
    _, first = np.unique(psu, return_index=True)
    return mult[first]


@pytest.mark.parametrize("kind", ["bootstrap", "subbootstrap"])
def test_same_seed_same_replicates_other_seed_others(kind: str) -> None:
    t = design_table([2, 3, 5])
    a, _ = multipliers(spec(kind, seed=3), t)
    b, _ = multipliers(spec(kind, seed=3), t)
    c, _ = multipliers(spec(kind, seed=4), t)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_subbootstrap_draws_n_minus_one_psus_per_stratum_rescaled() -> None:
    sizes = [2, 3, 5, 8]
    t = design_table(sizes)
    m = per_psu(multipliers(spec("subbootstrap", count=200), t)[0], t)
    start = 0
    for n in sizes:
        block = m[start : start + n]
        counts = block * (n - 1) / n
        assert np.allclose(counts, np.round(counts))  # whole numbers of draws
        assert np.allclose(counts.sum(axis=0), n - 1)  # n - 1 draws per replicate
        assert np.allclose(block.sum(axis=0), n)  # the stratum keeps its total weight
        start += n
    # every PSU's rows share its multiplier
    full = multipliers(spec("subbootstrap", count=200), t)[0]
    assert np.allclose(full[::3], full[1::3], rtol=1e-14)


def test_bootstrap_draws_n_psus_with_replacement() -> None:
    sizes = [2, 4, 7]
    t = design_table(sizes)
    m = per_psu(multipliers(spec("bootstrap", count=300), t)[0], t)
    start = 0
    for n in sizes:
        block = m[start : start + n]
        assert np.allclose(block, np.round(block), rtol=1e-14)
        assert np.allclose(block.sum(axis=0), n, rtol=1e-14)
        start += n


def test_bootstrap_with_fpc_samples_without_replacement_from_the_repeated_psus() -> None:
    t = design_table([3, 4])
    t.columns["N"] = np.where(t.columns["st"] == 0, 7.0, 4.0)  # stratum 1: fully sampled
    m = per_psu(multipliers(spec("bootstrap", count=400, fpc=["N"]), t)[0], t)
    # 3 PSUs repeated to 7 (one of them 3 times, two twice): a PSU is drawn at most 3 times
    assert m[:3].max() <= 3 + 1e-12
    assert np.allclose(m[:3].sum(axis=0), 3, rtol=1e-14)
    # N = n: all 4 positions are drawn, every PSU exactly once, no sampling variance
    assert np.allclose(m[3:], 1, rtol=1e-14)


def test_subbootstrap_multipliers_have_mean_and_variance_one() -> None:
    t = design_table([3, 6, 10])
    m = per_psu(multipliers(spec("subbootstrap", count=4000, seed=11), t)[0], t)
    # E = 1 and Var = 1 for every PSU: Binomial(n - 1, 1/n) draws times n/(n - 1)
    assert np.abs(m.mean(axis=1) - 1).max() < 0.06
    assert np.abs(m.var(axis=1, ddof=1) - 1).max() < 0.12


def test_subbootstrap_variance_of_a_total_estimates_the_linearised_variance() -> None:
    """Rao-Wu with m_h = n_h - 1 is unbiased for the with-replacement variance of a total:
    E[Var_boot] = V_lin exactly, so with 10,000 replicates the two agree to a few percent."""
    t = design_table([2, 3, 4, 6, 9], rows_per_psu=4, seed=5)
    boot = run_table(parse_spec(spec("subbootstrap", count=10_000, seed=1)), t)
    lin_spec = spec("subbootstrap")
    del lin_spec["replicates"]
    lin = run_table(parse_spec(lin_spec), t)
    se_boot = boot["estimates"][0]["rows"][0]["se"]
    se_lin = lin["estimates"][0]["rows"][0]["se"]
    # the relative SE of a variance estimated from R replicates is ~ sqrt(2/R) = 1.4%
    assert se_boot**2 / se_lin**2 == pytest.approx(1, abs=0.05)


def test_bootstrap_scale_uses_the_harmonic_mean_number_of_psus() -> None:
    t = design_table([2, 3, 6])
    _, ctx = multipliers(spec("bootstrap", count=40), t)
    nbar = 1 / np.mean([1 / 2, 1 / 3, 1 / 6])
    assert ctx.replicates.scale == pytest.approx(nbar / ((nbar - 1) * 39), rel=1e-15)
    _, ctx = multipliers(spec("subbootstrap", count=40), t)
    assert ctx.replicates.scale == pytest.approx(1 / 39, rel=1e-15)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seed": None}, "replicates.seed"),
        ({"seed": -1}, "replicates.seed"),
        ({"seed": 1.5}, "replicates.seed"),
        ({"count": 1}, "replicates.count"),
        ({"count": 10_001}, "replicates.count"),
        ({"count": True}, "replicates.count"),
    ],
)
def test_bad_bootstrap_settings_are_refused(change: dict[str, Any], field: str) -> None:
    s = spec("bootstrap")
    s["replicates"].update(change)
    if s["replicates"]["seed"] is None:
        del s["replicates"]["seed"]
    with pytest.raises(StatsError) as exc:
        parse_spec(s)
    assert exc.value.field == field


def test_count_and_seed_belong_to_generated_bootstraps_only() -> None:
    s = spec("JK1")
    with pytest.raises(StatsError) as exc:
        parse_spec(s)
    assert exc.value.field == "replicates.count"


def test_subbootstrap_refuses_a_stratum_with_one_psu() -> None:
    with pytest.raises(StatsError, match="only one PSU") as exc:
        build_context(parse_spec(spec("subbootstrap")), design_table([1, 3]))
    assert exc.value.field == "replicates.type"


def test_generated_bootstrap_through_the_cli(tmp_path: Path) -> None:
    s = {
        "data": str(DATA / "apiclus1.csv"),
        "design": {"ids": ["dnum"], "weights": "pw", "fpc": ["fpc"]},
        "replicates": {"type": "subbootstrap", "count": 100, "seed": 2026},
        "estimates": [{"id": "m", "statistic": "mean", "variable": "api00"}],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(s))
    assert main(["run", str(path), "-o", str(tmp_path / "a.json")]) == 0
    assert main(["run", str(path), "-o", str(tmp_path / "b.json")]) == 0
    a = json.loads((tmp_path / "a.json").read_text())
    assert a == json.loads((tmp_path / "b.json").read_text())
    row = a["estimates"][0]["rows"][0]
    # close to the linearised SE of the design (R: 24.5 with replacement)
    assert 15 < row["se"] < 35
    s["replicates"]["seed"] = "x"
    path.write_text(json.dumps(s))
    assert main(["run", str(path)]) == 2


def test_a_replicate_matrix_too_large_to_hold_is_refused_before_it_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vib.stats import replicates

    t = design_table([2, 3])  # 15 rows
    monkeypatch.setattr(replicates, "MAX_REPLICATE_CELLS", 15 * 9_999)
    with pytest.raises(StatsError, match="rows x 10000 replicates") as exc:
        build_context(parse_spec(spec("bootstrap", count=10_000)), t)
    assert exc.value.field == "replicates.count"
    s = spec("JK1")
    del s["replicates"]["count"], s["replicates"]["seed"]
    s["design"] = {"ids": [], "weights": "w"}  # every row a PSU: 15 x 15 is fine
    build_context(parse_spec(s), t)
