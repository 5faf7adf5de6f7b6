"""One test per defect of issue #16 that the differential suite against R found: each runs
the case of that defect (``r_oracle/cases.json``, id ``defect-N-…``) and compares it with
what R's survey 4.1.1 gives (``r_oracle/results.json``), plus the specific number or
behaviour the issue reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vib.stats import StatsError
from vib.stats.cli import main

from .conftest import DATA
from .test_r_oracle import CASES, RESULTS, run_vib, unexplained

# Agreement with R (make test-fast leaves these out; make test-r regenerates R's side).
pytestmark = pytest.mark.r_parity


BY_ID = {c["id"]: c for c in CASES}


def agrees(case_id: str) -> dict[str, Any]:
    """VIB's result for the case, after checking every number against R's."""
    bad, why = unexplained(BY_ID[case_id])
    assert bad == []
    assert why == []  # no listed deviation needed: plain agreement
    return run_vib(BY_ID[case_id]["spec"])


def rows(result: dict[str, Any], i: int = 0) -> list[dict[str, Any]]:
    return list(result["estimates"][i]["rows"])


def test_defect_1_likelihood_interval_with_unequal_weights() -> None:
    row = rows(agrees("defect-1-likelihood-unequal-weights"))[0]
    # the issue: VIB had (0.777956, 0.871263), R gives (0.776412, 0.872416)
    assert (round(row["ci_low"], 6), round(row["ci_high"], 6)) == (0.776412, 0.872416)


def test_defect_2_replicate_df_recomputed_after_calibration() -> None:
    row = rows(agrees("defect-2-replicate-df-after-calibration"))[0]
    assert row["df"] == 161  # was 159, the df of the replicate weights before calibration


def test_defect_3_jkn_drops_replicates_of_a_fully_sampled_stratum() -> None:
    res = agrees("defect-3-jkn-fully-sampled-stratum")
    h = next(r for r in rows(res) if r["domain"] == {"stype": "H"})
    assert h["se"] == 0.0  # a stratum sampled completely has no sampling variance
    r = RESULTS["defect-3-jkn-fully-sampled-stratum"]["estimates"][1]["rows"][0]
    assert rows(res, 1)[0]["df"] == r["df"] == 148  # was 197: H's 50 replicates kept


def test_defect_4_deff_with_an_empty_domain_does_not_crash(tmp_path: Path) -> None:
    res = agrees("defect-4-deff-empty-domain")
    assert [r["domain"] for r in rows(res)] == [{"stype": "E"}]
    # the CLI answered with a ZeroDivisionError traceback and exit status 1
    spec = dict(BY_ID["defect-4-deff-empty-domain"]["spec"])
    spec["data"] = str(DATA / spec["data"])
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    assert main(["run", str(path), "-o", str(tmp_path / "out.json")]) == 0
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["estimates"][0]["rows"][0]["deff"] == pytest.approx(1.00000000047925, rel=1e-9)


def test_defect_4_deff_of_a_domain_without_the_variable_is_null() -> None:
    spec = {
        "data": "apistrat.csv",
        "design": {"strata": "stype", "weights": "pw", "fpc": ["fpc"]},
        "estimates": [
            {"id": "e", "statistic": "mean", "variable": "acs.k3", "by": ["stype"], "deff": True}
        ],
    }
    out = run_vib(spec)["estimates"][0]["rows"]
    h = next(r for r in out if r["domain"] == {"stype": "H"})
    assert h["n"] == 0
    assert (h["estimate"], h["se"], h["deff"]) == (None, None, None)


@pytest.mark.parametrize("kind", ["brr", "fay"])
def test_defect_5_scale_is_ignored_for_brr_and_fay_columns(kind: str) -> None:
    case = f"defect-5-scale-with-{kind}-columns"
    res = agrees(case)
    spec = json.loads(json.dumps(BY_ID[case]["spec"]))
    del spec["replicates"]["scale"]
    assert rows(run_vib(spec))[0]["se"] == rows(res)[0]["se"]


def test_defect_6_korn_graubard_uses_the_domain_rows_of_a_calibrated_replicate_design() -> None:
    res = agrees("defect-6-korn-graubard-calibrated-replicate-domains")
    h = next(r for r in rows(res) if r["domain"] == {"stype": "H"})
    # the issue: VIB had (0.4655, 0.9610) from all 183 rows, R (0.4975, 0.9518) from H's 14
    assert (round(h["ci_low"], 4), round(h["ci_high"], 4)) == (0.4975, 0.9518)


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("defect-7-poststratum-population-zero", "calibration[0].population[1]"),
        ("defect-7-fay-columns-without-rho", "replicates.rho"),
    ],
)
def test_defect_7_refuses_where_r_refuses(case: str, field: str, tmp_path: Path) -> None:
    assert "error" in RESULTS[case]
    with pytest.raises(StatsError) as exc:
        run_vib(BY_ID[case]["spec"])
    assert exc.value.field == field
    spec = dict(BY_ID[case]["spec"])
    spec["data"] = str((DATA / spec["data"]).resolve())
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    assert main(["run", str(path)]) == 2


def test_defect_8_empty_domains_have_no_rows_and_contrasts_count_only_output_rows() -> None:
    res = agrees("defect-8-empty-domains")
    assert [r["domain"] for r in rows(res)] == [{"stype": "E"}, {"stype": "M"}]
    c = res["contrasts"][0]
    assert c["estimate"] == pytest.approx(rows(res)[1]["estimate"] - rows(res)[0]["estimate"])
    spec = json.loads(json.dumps(BY_ID["defect-8-empty-domains"]["spec"]))
    spec["contrasts"][0]["coefficients"] = [-1, 0, 1]  # as if H still had a row
    with pytest.raises(StatsError, match="needs 2 coefficients"):
        run_vib(spec)
