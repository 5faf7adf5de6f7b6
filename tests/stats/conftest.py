from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "survey"
if not DATA.exists():  # CI lays shared/ beside the clone
    DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "survey"


def load(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        d: dict[str, Any] = {}
        for k, v in r.items():
            if v in ("", "NA"):
                d[k] = None
            else:
                try:
                    d[k] = float(v)
                except ValueError:
                    d[k] = v
        out.append(d)
    return out


@pytest.fixture(scope="session")
def datadir() -> Path:
    if not DATA.exists():
        pytest.skip("shared survey data not available")
    return DATA
