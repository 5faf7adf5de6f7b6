"""``vib surveys export WAVE``: responses, population counts and a codebook, as CSV and Parquet.

Files written to the output directory, per instrument ``<code>``:

* ``<code>.csv`` / ``<code>.parquet`` — one row per response (see :func:`response_table`);
* ``<code>_population.csv`` / ``<code>_population.parquet`` — the frame per tier x function x
  gender with respondents (strata without respondents included);

and once: ``codebook.json`` (machine-readable; describes every column of every file) and
``codebook.md`` (the same for people). CSV is UTF-8 with a header; a missing value is an
empty field, which is what ``vib.stats`` reads as missing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.utils import translation

from vib.surveys import strata as strata_mod
from vib.surveys.models import Wave
from vib.surveys.questionnaires import Condition, Instrument, Question, Text, load_instrument
from vib.surveys.selectors import (
    Column,
    answer_columns,
    population_counts,
    response_table,
)

POPULATION_COLUMNS = ("tier", "function", "gender", "stratum", "population", "respondents")
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "binary": pa.int8(),
    "number": pa.float64(),
}


def _both(make: Callable[[], str]) -> dict[str, str]:
    out = {}
    for language in ("nl", "en"):
        with translation.override(language):
            out[language] = str(make())
    return out


def _text(text: Text) -> dict[str, str]:
    return {"nl": text.nl, "en": text.en}


def _describe_condition(condition: Condition | None) -> str:
    if condition is None:
        return ""
    if condition.all:
        return " and ".join(f"({_describe_condition(c)})" for c in condition.all)
    if condition.any:
        return " or ".join(f"({_describe_condition(c)})" for c in condition.any)
    subject = condition.question or f"stratum {condition.stratum}"
    return f"{subject} {condition.op} {json.dumps(condition.value)}"


FIXED_DESCRIPTIONS: dict[str, tuple[str, str, Any]] = {
    # name: (kind, English description, value labels or None)
    "response_id": (
        "string",
        "Random identifier of the response (UUID4); carries no order or time.",
        None,
    ),
    "edition": ("integer", "Edition year of the monitor wave.", None),
    "instrument": ("string", "Code of the questionnaire.", None),
    "instrument_version": ("string", "Version of the questionnaire file.", None),
    "tier": ("string", "Tier of government (stratum).", "tier"),
    "function": ("string", "Function in the frame (stratum).", "function"),
    "gender": ("string", "Gender as given in the frame; empty when unknown.", "gender"),
    "stratum": ("string", "Weighting cell: tier:function.", None),
    "organisation_code": (
        "string",
        "Organisation answered for (organisation questionnaire only; empty for persons).",
        None,
    ),
    "stratum_population": (
        "integer",
        "People in the frame of this stratum (N_h, for the fpc).",
        None,
    ),
    "stratum_respondents": ("integer", "Responses in this stratum (n_h).", None),
    "base_weight": ("number", "Base weight N_h / n_h (post-stratification to the frame).", None),
    "population": ("integer", "People in the frame of this cell.", None),
    "respondents": ("integer", "Responses from this cell.", None),
}


def _labels(kind: str) -> dict[str, dict[str, str]]:
    source: dict[str, object] = {
        "tier": strata_mod.TIERS,
        "function": strata_mod.FUNCTIONS,
        "gender": strata_mod.GENDERS,
    }[kind]  # type: ignore[assignment]
    out: dict[str, dict[str, str]] = {}
    for code, label in source.items():
        out[code] = _both(lambda label=label: str(label))  # type: ignore[misc]
    return out


def _fixed_entry(name: str) -> dict[str, Any]:
    kind, description, labels = FIXED_DESCRIPTIONS[name]
    entry: dict[str, Any] = {
        "name": name,
        "type": kind,
        "source": "frame",
        "description": description,
    }
    if labels:
        entry["values"] = _labels(labels)
    return entry


def _answer_entry(column: Column) -> dict[str, Any]:
    q: Question = column.question  # type: ignore[assignment]
    entry: dict[str, Any] = {
        "name": column.name,
        "type": column.kind,
        "source": "answer",
        "question": q.id,
        "question_type": q.type,
        "text": _text(q.text),
        "asked_when": _describe_condition(q.show_if) or "always (if the group is shown)",
        "missing": "empty: not asked (routing) or not answered",
    }
    if column.option:
        option = next(o for o in q.options if o.value == column.option)
        entry["option"] = {"value": option.value, "label": _text(option.label)}
        entry["values"] = {
            "0": {"nl": "niet gekozen", "en": "not chosen"},
            "1": {"nl": "gekozen", "en": "chosen"},
        }
    elif column.row:
        row = next(r for r in q.rows if r.id == column.row)
        entry["row"] = {"id": row.id, "label": _text(row.label)}
        entry["values"] = {o.value: _text(o.label) for o in q.options}
    elif q.type == "single":
        entry["values"] = {o.value: _text(o.label) for o in q.options}
    elif q.type in ("scale", "number"):
        entry["range"] = [q.minimum, q.maximum]
        if q.type == "scale":
            entry["anchors"] = {o.value: _text(o.label) for o in q.options}
    elif q.type == "text":
        entry["note"] = "Open text; may contain identifying details. Exported only on request."
    return entry


@dataclass(frozen=True)
class ExportResult:
    directory: Path
    files: list[Path]
    rows: dict[str, int]


def _write_csv(path: Path, columns: list[str], table: dict[str, list[Any]]) -> None:
    n = len(next(iter(table.values()))) if table else 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for i in range(n):
            writer.writerow(["" if table[c][i] is None else table[c][i] for c in columns])


def _write_parquet(
    path: Path, columns: list[str], kinds: dict[str, str], table: dict[str, list[Any]]
) -> None:
    schema = pa.schema([pa.field(c, ARROW_TYPES[kinds[c]]) for c in columns])
    arrow = pa.table(
        {c: pa.array(table[c], type=ARROW_TYPES[kinds[c]]) for c in columns}, schema=schema
    )
    pq.write_table(arrow, path)


def wave_export(
    *,
    wave: Wave,
    directory: Path,
    include_open_text: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ExportResult:
    directory.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    rows: dict[str, int] = {}
    codebook: dict[str, Any] = {
        "wave": {"title": wave.title, "edition": wave.edition, "status": wave.status},
        "format": "CSV (UTF-8, header, empty field = missing) and Parquet with the same columns.",
        "files": {},
    }
    for wi in wave.instruments.all():
        instrument: Instrument = load_instrument(wi.key)
        table = response_table(wave=wave, instrument=wi.code, include_open_text=include_open_text)
        answers = answer_columns(instrument, include_open_text=include_open_text)
        columns = list(table)
        kinds = {name: FIXED_DESCRIPTIONS[name][0] for name in FIXED_DESCRIPTIONS}
        kinds.update({c.name: c.kind for c in answers})
        base = directory / wi.code
        _write_csv(base.with_suffix(".csv"), columns, table)
        _write_parquet(base.with_suffix(".parquet"), columns, kinds, table)
        entries = [_fixed_entry(c) for c in columns if c in FIXED_DESCRIPTIONS]
        entries += [_answer_entry(c) for c in answers]
        description = {
            "instrument": {
                "code": wi.code,
                "version": wi.version,
                "sha256": wi.digest,
                "title": _text(instrument.title),
                "unit": instrument.unit,
            },
            "columns": entries,
        }
        codebook["files"][f"{wi.code}.csv"] = description
        codebook["files"][f"{wi.code}.parquet"] = {"same_as": f"{wi.code}.csv"}
        population = population_counts(wave=wave, instrument=wi.code)
        pop_table = {c: [row[c] for row in population] for c in POPULATION_COLUMNS}
        pop_path = directory / f"{wi.code}_population"
        _write_csv(pop_path.with_suffix(".csv"), list(POPULATION_COLUMNS), pop_table)
        _write_parquet(pop_path.with_suffix(".parquet"), list(POPULATION_COLUMNS), kinds, pop_table)
        codebook["files"][f"{wi.code}_population.csv"] = {
            "instrument": {"code": wi.code, "version": wi.version},
            "columns": [_fixed_entry(c) for c in POPULATION_COLUMNS],
        }
        codebook["files"][f"{wi.code}_population.parquet"] = {
            "same_as": f"{wi.code}_population.csv"
        }
        files += [
            base.with_suffix(".csv"),
            base.with_suffix(".parquet"),
            pop_path.with_suffix(".csv"),
            pop_path.with_suffix(".parquet"),
        ]
        rows[wi.code] = len(table["response_id"])
        if progress:
            progress(wi.code)
    (directory / "codebook.json").write_text(
        json.dumps(codebook, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (directory / "codebook.md").write_text(_markdown(codebook), encoding="utf-8")
    files += [directory / "codebook.json", directory / "codebook.md"]
    return ExportResult(directory=directory, files=files, rows=rows)


def _markdown(codebook: dict[str, Any]) -> str:
    wave = codebook["wave"]
    lines = [f"# Codebook — {wave['title']} ({wave['edition']})", "", codebook["format"], ""]
    for name, description in codebook["files"].items():
        if "same_as" in description:
            lines += [f"## {name}", "", f"The same columns as `{description['same_as']}`.", ""]
            continue
        lines += [f"## {name}", "", "| column | type | description | values |", "|---|---|---|---|"]
        for col in description["columns"]:
            text = col.get("description") or col["text"]["en"]
            if "option" in col:
                text += f" — option: {col['option']['label']['en']}"
            if "row" in col:
                text += f" — row: {col['row']['label']['en']}"
            if col.get("asked_when") and not col["asked_when"].startswith("always"):
                text += f" (asked when {col['asked_when']})"
            values = "; ".join(f"`{k}` {v['en']}" for k, v in col.get("values", {}).items())
            if "range" in col:
                values = f"{col['range'][0]} to {col['range'][1]}"
            cells = [f"`{col['name']}`", col["type"], text, values]
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
