"""The command line: results on stdout or -o, exit status 2 with a clear message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vib.stats.cli import main

GOOD = {
    "design": {"ids": [], "strata": "stype", "weights": "pw", "fpc": ["fpc"]},
    "estimates": [{"id": "mean_api00", "statistic": "mean", "variable": "api00"}],
}


def write(tmp_path: Path, datadir: Path, spec: dict[str, Any], name: str = "s.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps({"data": str(datadir / "apistrat.csv"), **spec}))
    return p


def test_run_prints_result(
    tmp_path: Path, datadir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(write(tmp_path, datadir, GOOD))]) == 0
    out = json.loads(capsys.readouterr().out)
    row = out["estimates"][0]["rows"][0]
    assert row["estimate"] == pytest.approx(662.2873631593208, rel=1e-12)
    assert row["se"] == pytest.approx(9.408940802784583, rel=1e-9)
    assert row["df"] == 197
    assert row["n"] == 200


def test_output_file(tmp_path: Path, datadir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.json"
    assert main(["run", str(write(tmp_path, datadir, GOOD)), "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["estimates"][0]["id"] == "mean_api00"


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        (
            {
                "design": {"ids": []},
                "estimates": [{"id": "x", "statistic": "median", "variable": "api00"}],
            },
            "statistic",
        ),
        (
            {
                "design": {"ids": []},
                "estimates": [{"id": "x", "statistic": "mean", "variable": "nope"}],
            },
            "'nope'",
        ),
        (
            {
                "design": {"ids": []},
                "estimates": [{"id": "x", "statistic": "total", "variable": "sch.wide"}],
                "_ratio": True,
            },
            "",
        ),
        (
            {
                "design": {"ids": []},
                "estimates": [
                    {"id": "x", "statistic": "ratio", "numerator": "stype", "denominator": "api99"}
                ],
            },
            "not numeric",
        ),
        ({"design": {"ids": [], "weights": "growth"}, "estimates": []}, "negative weights"),
        (
            {
                "design": {"ids": [], "strata": "dnum", "weights": "pw"},
                "estimates": [{"id": "x", "statistic": "mean", "variable": "api00"}],
            },
            "only one PSU",
        ),
        ({"design": {"ids": [], "strata": "nope"}, "estimates": []}, "design.strata"),
        ({"design": {"ids": [], "lonely_psu": "skip"}, "estimates": []}, "design.lonely_psu"),
    ],
)
def test_errors_exit_2(
    tmp_path: Path,
    datadir: Path,
    capsys: pytest.CaptureFixture[str],
    spec: dict[str, Any],
    needle: str,
) -> None:
    if spec.pop("_ratio", False):
        # a factor total is fine (one row per level): not an error
        assert main(["run", str(write(tmp_path, datadir, spec))]) == 0
        return
    data = "apiclus1.csv" if "dnum" in json.dumps(spec) else "apistrat.csv"
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"data": str(datadir / data), **spec}))
    assert main(["run", str(p)]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert needle in cap.err
    assert cap.err.startswith("vib stats: error:")


def test_malformed_json_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["run", str(bad)]) == 2
    assert "invalid JSON" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.json")]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["run", str(bad), "--bogus"]) == 2
    assert capsys.readouterr().out == ""


def test_python_dash_m(tmp_path: Path, datadir: Path) -> None:
    p = write(tmp_path, datadir, GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "vib.stats", "run", str(p)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["estimates"][0]["rows"][0]["n"] == 200
    (tmp_path / "e.json").write_text(json.dumps({"data": "nowhere.csv", **GOOD}))
    proc = subprocess.run(
        [sys.executable, "-m", "vib.stats", "run", str(tmp_path / "e.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "data" in proc.stderr


def test_import_does_not_load_django() -> None:
    code = (
        "import sys, vib.stats, vib.stats.cli; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules)"
        " else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
