"""The single-pass path (vib.stats.fastpath) against the general path on random designs:
the same rows, labels, counts and degrees of freedom, numbers equal to ≤ 1e-12 relative, and
the general path taking over (with its errors) wherever the fast path does not apply."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vib.stats import StatsError, chunks, fastpath
from vib.stats.data import Table
from vib.stats.engine import run_table
from vib.stats.spec import parse_spec

REL = 1e-12


def _spec(design: dict[str, Any], est: dict[str, Any]) -> Any:
    return parse_spec({"data": "-", "design": design, "estimates": [{"id": "e", **est}]})


def _close(a: float | None, b: float | None, scale: float) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=REL, abs_tol=REL * scale)


def assert_same(spec: Any, tbl: Table) -> list[dict[str, Any]]:
    fast = run_table(spec, tbl)["estimates"][0]["rows"]
    gen = run_table(spec, tbl, fast=False)["estimates"][0]["rows"]
    assert len(fast) == len(gen)
    for rf, rg in zip(fast, gen, strict=True):
        assert rf["domain"] == rg["domain"]
        assert (rf["n"], rf["df"], rf["level"], rf["deff"]) == (
            rg["n"],
            rg["df"],
            rg["level"],
            rg["deff"],
        )
        scale = abs(rg["estimate"]) + 1.0
        for k in ("estimate", "se", "ci_low", "ci_high"):
            assert _close(rf[k], rg[k], scale), (k, rf[k], rg[k])
    return fast


designs = st.integers(min_value=6, max_value=120).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n),  # stratum
        st.lists(st.integers(0, 9), min_size=n, max_size=n),  # cluster
        st.lists(st.integers(-1, 2), min_size=n, max_size=n),  # domain
        st.lists(st.floats(0.1, 100), min_size=n, max_size=n),  # weight
        st.lists(st.floats(0, 1), min_size=n, max_size=n),  # y
        st.booleans(),  # binary y
        st.sampled_from(["int32", "int64", "float64"]),  # code dtype
    )
)


def _table(d: Any, *, nested: bool) -> Table:
    h, c, dom, w, y, binary, dtype = d
    n = len(h)
    h = [k % 2 if k < 8 else v for k, v in enumerate(h)]  # two strata with ≥ 2 rows / PSUs
    c = [k % 4 if k < 8 else v for k, v in enumerate(c)]
    if nested:
        c = [10 * hh + cc for hh, cc in zip(h, c, strict=True)]
    ya = np.asarray(y)
    if binary:
        ya = (ya > 0.5).astype(float)
    return Table(
        {
            "h": np.asarray(h, dtype=dtype),
            "c": np.asarray(c, dtype=dtype),
            "d": np.asarray(dom, dtype=dtype),
            "w": np.asarray(w),
            "y": ya,
            "r": np.arange(n),
        }
    )


@settings(max_examples=60, deadline=None)
@given(
    designs,
    st.sampled_from([[], ["c"]]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["t", "normal", "logit", "wilson", "beta"]),
)
def test_fast_path_equals_general_path(
    d: Any, ids: list[str], strata: bool, by: bool, nest: bool, ci: str
) -> None:
    tbl = _table(d, nested=not nest)
    design = {"ids": ids, "strata": "h" if strata else None, "weights": "w", "nest": nest}
    est = {"statistic": "proportion", "variable": "y", "by": ["d"] if by else [], "ci": ci}
    spec = _spec(design, est)
    try:
        gen = run_table(spec, tbl, fast=False)
    except StatsError:
        # the fast path must decline (the general path then raises the same error)
        assert all(fastpath.domain_means(spec, tbl, e) is None for e in spec.estimates)
        with pytest.raises(StatsError):
            run_table(spec, tbl)
        return
    assert gen["estimates"][0]["rows"]
    assert_same(spec, tbl)


def _bench_like(n: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, 50, n).astype(np.int32)
    return {
        "h": (cluster % 7).astype(np.int32),
        "c": cluster,
        "d": rng.integers(0, 4, n).astype(np.int32),
        "w": rng.uniform(1, 10, n),
        "y": (rng.random(n) < 0.3).astype(np.float64),
    }


@pytest.mark.parametrize("ids", [[], ["c"]])
def test_fast_path_is_taken_and_exact_on_the_benchmark_shape(ids: list[str]) -> None:
    cols = _bench_like(5000, 7)
    spec = _spec(
        {"ids": ids, "strata": "h", "weights": "w"},
        {"statistic": "proportion", "variable": "y", "by": ["d"]},
    )
    assert fastpath.eligible(spec)
    res = fastpath.domain_means(spec, Table(cols), spec.estimates[0])
    assert res is not None
    rows = assert_same(spec, Table(cols))
    assert [r["domain"] for r in rows] == [{"d": k} for k in range(4)]
    # the full covariance between domains matches too (contrasts use it)
    from vib.stats.engine import _estimate, build_context

    gen = _estimate(build_context(spec, Table(cols)), spec.estimates[0], "estimates[0]")
    np.testing.assert_allclose(res.cov, gen.cov, rtol=1e-12, atol=1e-12 * np.abs(gen.cov).max())


@pytest.mark.parametrize("codes", ["int32", "float64"])
@pytest.mark.parametrize("ids", [[], ["c"]])
def test_rows_in_many_chunks_on_threads_give_the_same_numbers(
    ids: list[str], codes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut into uneven chunks on three threads, the sums are those of one pass."""
    cols = _bench_like(5003, 11)
    for name in ("h", "c", "d"):
        cols[name] = cols[name].astype(codes)
    spec = _spec(
        {"ids": ids, "strata": "h", "weights": "w"},
        {"statistic": "proportion", "variable": "y", "by": ["d"]},
    )
    whole = fastpath.domain_means(spec, Table(cols), spec.estimates[0])
    monkeypatch.setattr(chunks, "MIN_ROWS", 97)
    monkeypatch.setattr(chunks, "threads", lambda: 3)
    monkeypatch.setattr(chunks, "_pool", None)
    assert len(chunks.slices(5003, chunks.chunk_rows(5003, 7 * 4))) > 10
    cut = fastpath.domain_means(spec, Table(cols), spec.estimates[0])
    assert whole is not None
    assert cut is not None
    np.testing.assert_allclose(cut.estimate, whole.estimate, rtol=1e-13)
    np.testing.assert_allclose(cut.cov, whole.cov, rtol=1e-12)
    assert (cut.n, cut.df) == (whole.n, whole.df)
    assert_same(spec, Table(cols))
    # a missing value, or a PSU in a second stratum, in the last chunk only still sends the
    # analysis to the general path
    strays = {"y": np.nan, "h": (cols["h"][-1] + 1) % 7} if ids else {"y": np.nan}
    for name, value in strays.items():
        changed = {k: v.copy() for k, v in cols.items()}
        changed[name][-1] = value
        assert fastpath.domain_means(spec, Table(changed), spec.estimates[0]) is None, name


@pytest.mark.parametrize(
    "change",
    ["nan_y", "zero_weight", "lonely", "not_nested", "string_by", "sparse_codes", "y_out_of_range"],
)
def test_fast_path_declines_and_general_path_decides(change: str) -> None:
    cols: dict[str, Any] = _bench_like(400, 3)
    cols["y"] = cols["y"].copy()
    ids = ["c"]
    if change == "nan_y":
        cols["y"][5] = np.nan
    elif change == "zero_weight":
        cols["w"] = cols["w"].copy()
        cols["w"][3] = 0.0
    elif change == "lonely":
        cols["h"] = cols["h"].copy()
        cols["h"][cols["c"] == 0] = 99
    elif change == "not_nested":
        cols["h"] = cols["h"].copy()
        cols["h"][0] = (cols["h"][0] + 1) % 7
    elif change == "string_by":
        cols["d"] = np.array(["x", "y"] * 200, dtype=object)
    elif change == "sparse_codes":
        cols["c"] = cols["c"].astype(np.int64) * 10**9
    elif change == "y_out_of_range":
        cols["y"][0] = 2.0
    spec = _spec(
        {"ids": ids, "strata": "h", "weights": "w"},
        {"statistic": "proportion", "variable": "y", "by": ["d"]},
    )
    tbl = Table(cols)
    assert fastpath.domain_means(spec, tbl, spec.estimates[0]) is None
    try:
        gen = run_table(spec, tbl, fast=False)
    except StatsError as exc:
        with pytest.raises(StatsError, match=re.escape(str(exc))):
            run_table(spec, tbl)
    else:
        assert run_table(spec, tbl) == gen


@pytest.mark.parametrize(("setting", "expected"), [("1", 1), ("3", 3), (" 2 ", 2)])
def test_threads_follow_the_setting(
    setting: str, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIB_STATS_THREADS", setting)
    assert chunks.threads() == expected


@pytest.mark.parametrize("setting", ["0", "two", "-1", "1.5"])
def test_a_bad_thread_setting_is_a_clear_error(
    setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIB_STATS_THREADS", setting)
    with pytest.raises(StatsError, match="VIB_STATS_THREADS: must be a whole number"):
        chunks.threads()
