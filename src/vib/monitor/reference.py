"""The published figures of earlier editions (2012-2024) as a reference series (ADR 0072)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

REFERENCE_FILE = Path(__file__).resolve().parent / "reference" / "published-2012-2024.yaml"


@dataclass(frozen=True)
class Figure:
    year: int
    value: float
    edition: int
    source: str
    restated: bool = False


@dataclass(frozen=True)
class Series:
    id: str
    indicator: str
    label_nl: str
    label_en: str
    figures: tuple[Figure, ...]

    def as_published(self) -> list[Figure]:
        """One figure per year: the one published by that year's own edition."""
        return [f for f in self.figures if not f.restated]

    def restatements(self) -> list[Figure]:
        return [f for f in self.figures if f.restated]

    def previous(self, edition: int) -> Figure | None:
        """The latest figure for a year before ``edition`` as known in ``edition``: a
        restatement only counts when it was published no later than ``edition``."""
        known = [f for f in self.figures if f.year < edition and f.edition <= max(edition, f.year)]
        if not known:
            return None
        year = max(f.year for f in known)
        same = [f for f in known if f.year == year]
        return max(same, key=lambda f: f.edition)


@cache
def load_reference() -> dict[str, Series]:
    raw = yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8"))
    out: dict[str, Series] = {}
    for s in raw["series"]:
        out[s["id"]] = Series(
            id=s["id"],
            indicator=s["indicator"],
            label_nl=s["label"]["nl"],
            label_en=s["label"]["en"],
            figures=tuple(
                Figure(
                    int(f["year"]),
                    float(f["value"]),
                    int(f["edition"]),
                    f["source"],
                    bool(f.get("restated", False)),
                )
                for f in s["figures"]
            ),
        )
    return out
