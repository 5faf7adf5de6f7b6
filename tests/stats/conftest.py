from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

# R's survey example data, shipped with the tests (see data/README.md)
DATA = Path(__file__).resolve().parent / "data"


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
    return DATA
