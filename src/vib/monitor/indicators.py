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
import pyarrow as pa
import pyarrow.compute as pc
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


def _definition_values_rows(definition: dict[str, Any], table: Columns, n: int) -> list[float]:
    """The definition row by row (columns that mix numbers and text)."""
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


class _Mixed(Exception):  # noqa: N818 - a signal, not an error: use the row loop
    pass


def _arrow(values: list[Any]) -> pa.Array:
    """A response column as one Arrow array: numbers as float64, text as strings, missing
    (None or NaN) as null."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise _Mixed from None
    t = arr.type
    if pa.types.is_null(t) or pa.types.is_integer(t) or pa.types.is_boolean(t):
        return arr.cast(pa.float64())
    if pa.types.is_floating(t) or pa.types.is_string(t):
        return arr
    raise _Mixed


def _numeric(arr: pa.Array) -> bool:
    return bool(pa.types.is_floating(arr.type))


def _member(arr: pa.Array, accepted: set[Any]) -> npt.NDArray[np.bool_]:
    """``v in accepted`` for every value (False where missing), as Python compares: numbers
    equal numbers (1 == 1.0 == True), text equals text."""
    keys: list[Any]
    if _numeric(arr):
        keys = [float(v) for v in accepted if isinstance(v, int | float)]
        vtype = pa.float64()
    else:
        keys = [v for v in accepted if isinstance(v, str)]
        vtype = pa.string()
    if not keys:
        return np.zeros(len(arr), dtype=bool)
    hit = pc.is_in(arr, value_set=pa.array(keys, type=vtype))
    return np.asarray(hit.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _missing_mask(arr: pa.Array) -> npt.NDArray[np.bool_]:
    return np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _definition_array(
    definition: dict[str, Any], table: Columns, n: int, cache: dict[str, pa.Array]
) -> npt.NDArray[np.float64]:
    """The definition over whole columns (Arrow compute); _Mixed for the row loop."""

    def column(name: str) -> pa.Array:
        if name not in cache:
            cache[name] = _arrow(table[name])
        return cache[name]

    out = np.full(n, math.nan)
    if "any" in definition:
        names = [c for c in definition["any"] if c in table]
        if not names:
            raise IndicatorError(f"none of {definition['any']} is a column of the data")
        answered = np.zeros(n, dtype=bool)
        one = np.zeros(n, dtype=bool)
        for name in names:
            arr = column(name)
            answered |= ~_missing_mask(arr)
            one |= _member(arr, {1})
        out[answered] = 0.0
        out[one] = 1.0
    else:
        name = definition["column"]
        if name not in table:
            raise IndicatorError(f"{name!r} is not a column of the data")
        arr = column(name)
        keep = ~_missing_mask(arr) & ~_member(arr, set(definition.get("exclude", [])))
        gte, lte = definition.get("gte"), definition.get("lte")
        if "in" in definition:
            hit = _member(arr, set(definition["in"]))
        elif gte is not None or lte is not None:
            if not _numeric(arr):
                raise _Mixed
            x = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64)
            with np.errstate(invalid="ignore"):
                hit = x >= gte if gte is not None else x <= lte
        else:
            keep[:] = False
            hit = keep
        out[keep] = np.where(hit[keep], 1.0, 0.0)
    if definition.get("fill") is not None:
        out[np.isnan(out)] = float(definition["fill"])
    return out


def _definition_values(
    definition: dict[str, Any], table: Columns, n: int, cache: dict[str, pa.Array]
) -> npt.NDArray[np.float64]:
    try:
        return _definition_array(definition, table, n, cache)
    except _Mixed:
        return np.asarray(_definition_values_rows(definition, table, n), dtype=np.float64)


def derive(indicators: list[Indicator], table: Columns) -> dict[str, npt.NDArray[np.float64]]:
    """``{ind_<id>: float array}`` — 1, 0 or NaN (outside the population or unanswered)."""
    n = len(next(iter(table.values()))) if table else 0
    done: dict[str, npt.NDArray[np.float64]] = {}
    cache: dict[str, pa.Array] = {}

    def compute(ind: Indicator) -> npt.NDArray[np.float64]:
        if ind.id in done:
            return done[ind.id]
        values = _definition_values(ind.definition, table, n, cache)
        pop = ind.population or {}
        if "indicator" in pop:
            base = next(i for i in indicators if i.id == pop["indicator"])
            values = np.where(compute(base) == 1.0, values, math.nan)
        elif "column" in pop:
            accepted = set(pop["in"])
            try:
                if pop["column"] not in cache:
                    cache[pop["column"]] = _arrow(table[pop["column"]])
                inside = _member(cache[pop["column"]], accepted)
            except _Mixed:
                inside = np.array([v in accepted for v in table[pop["column"]]], dtype=bool)
            values = np.where(inside, values, math.nan)
        done[ind.id] = values
        return values

    return {i.column: np.asarray(compute(i), dtype=np.float64) for i in indicators}
