"""The indicator set as data (``indicators/monitor-<version>.yaml``) and the derived 0/1 columns.

An indicator is a proportion over one instrument's responses: a definition over the answer
columns of ``vib.surveys.selectors.response_table`` (1, 0, or missing when outside the
population or unanswered). The derived column ``ind_<id>`` goes into the weighted data set of
the analysis bundle, so the analysis specs only name columns (ADR 0070).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

INDICATOR_DIR = Path(__file__).resolve().parent / "indicators"
CURRENT_VERSION = "2016.1"
BREAKDOWNS = ("tier", "function", "gender", "province")

type Columns = dict[str, list[Any]]


@dataclass(frozen=True)
class Chapter:
    id: str
    instrument: str
    title_nl: str
    title_en: str


@dataclass(frozen=True)
class Indicator:
    id: str
    chapter: str
    instrument: str
    label_nl: str
    label_en: str
    definition: dict[str, Any]
    population: dict[str, Any] | None
    breakdowns: tuple[str, ...]
    key: bool = False
    reference: str = ""

    @property
    def column(self) -> str:
        return f"ind_{self.id}"


@dataclass(frozen=True)
class IndicatorSet:
    version: str
    edition: int
    chapters: tuple[Chapter, ...]
    indicators: tuple[Indicator, ...]
    by_id: dict[str, Indicator] = field(default_factory=dict, compare=False, hash=False)

    def for_instrument(self, instrument: str) -> list[Indicator]:
        return [i for i in self.indicators if i.instrument == instrument]

    def for_chapter(self, chapter: str) -> list[Indicator]:
        return [i for i in self.indicators if i.chapter == chapter]

    @property
    def instruments(self) -> list[str]:
        seen: list[str] = []
        for c in self.chapters:
            if c.instrument not in seen:
                seen.append(c.instrument)
        return seen


class IndicatorError(ValueError):
    pass


@cache
def load_indicators(version: str = CURRENT_VERSION) -> IndicatorSet:
    path = INDICATOR_DIR / f"monitor-{version}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = tuple(
        Chapter(c["id"], c["instrument"], c["title"]["nl"], c["title"]["en"])
        for c in raw["chapters"]
    )
    instrument_of = {c.id: c.instrument for c in chapters}
    indicators: list[Indicator] = []
    for item in raw["indicators"]:
        if item["chapter"] not in instrument_of:
            raise IndicatorError(f"{item['id']}: unknown chapter {item['chapter']!r}")
        for b in item.get("breakdowns", []):
            if b not in BREAKDOWNS:
                raise IndicatorError(f"{item['id']}: unknown breakdown {b!r}")
        indicators.append(
            Indicator(
                id=item["id"],
                chapter=item["chapter"],
                instrument=instrument_of[item["chapter"]],
                label_nl=item["label"]["nl"],
                label_en=item["label"]["en"],
                definition=item["definition"],
                population=item.get("population"),
                breakdowns=tuple(item.get("breakdowns", [])),
                key=bool(item.get("key", False)),
                reference=item.get("reference", ""),
            )
        )
    ids = [i.id for i in indicators]
    if len(set(ids)) != len(ids):
        raise IndicatorError("indicator ids must be unique")
    by_id = {i.id: i for i in indicators}
    for i in indicators:
        pop = i.population or {}
        if "indicator" in pop and pop["indicator"] not in by_id:
            raise IndicatorError(f"{i.id}: population refers to unknown {pop['indicator']!r}")
    return IndicatorSet(raw["version"], int(raw["edition"]), chapters, tuple(indicators), by_id)


# --- derived columns ---------------------------------------------------------------------------


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _definition_values(definition: dict[str, Any], table: Columns, n: int) -> list[float]:
    out = [math.nan] * n
    if "any" in definition:
        cols = [table[c] for c in definition["any"] if c in table]
        if not cols:
            raise IndicatorError(f"none of {definition['any']} is a column of the data")
        for r in range(n):
            values = [c[r] for c in cols if not _missing(c[r])]
            if values:
                out[r] = 1.0 if any(v == 1 for v in values) else 0.0
    else:
        name = definition["column"]
        if name not in table:
            raise IndicatorError(f"{name!r} is not a column of the data")
        col = table[name]
        exclude = set(definition.get("exclude", []))
        accepted = set(definition["in"]) if "in" in definition else None
        gte, lte = definition.get("gte"), definition.get("lte")
        for r in range(n):
            v = col[r]
            if _missing(v) or v in exclude:
                continue
            if accepted is not None:
                out[r] = 1.0 if v in accepted else 0.0
            elif gte is not None:
                out[r] = 1.0 if float(v) >= gte else 0.0
            elif lte is not None:
                out[r] = 1.0 if float(v) <= lte else 0.0
    if definition.get("fill") is not None:
        fill = float(definition["fill"])
        out = [fill if math.isnan(v) else v for v in out]
    return out


def derive(indicators: list[Indicator], table: Columns) -> dict[str, npt.NDArray[np.float64]]:
    """``{ind_<id>: float array}`` — 1, 0 or NaN (outside the population or unanswered)."""
    n = len(next(iter(table.values()))) if table else 0
    done: dict[str, list[float]] = {}

    def compute(ind: Indicator) -> list[float]:
        if ind.id in done:
            return done[ind.id]
        values = _definition_values(ind.definition, table, n)
        pop = ind.population or {}
        if "indicator" in pop:
            base = next(i for i in indicators if i.id == pop["indicator"])
            inside = compute(base)
            values = [v if inside[r] == 1.0 else math.nan for r, v in enumerate(values)]
        elif "column" in pop:
            col, accepted = table[pop["column"]], set(pop["in"])
            values = [v if col[r] in accepted else math.nan for r, v in enumerate(values)]
        done[ind.id] = values
        return values

    return {i.column: np.asarray(compute(i), dtype=np.float64) for i in indicators}
