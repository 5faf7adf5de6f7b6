"""The export round-trips: read back, CSV and Parquet have the same rows, and the codebook
describes every column of every file."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from tests.surveys.conftest import NOT_VICTIM, VICTIM, link_tokens

from vib.surveys.export import wave_export
from vib.surveys.selectors import population_counts, response_table
from vib.surveys.services import response_submit

pytestmark = pytest.mark.django_db


def _typed(value: str, kind: str):
    if value == "":
        return None
    return {"integer": int, "binary": int, "number": float}.get(kind, str)(value)


def test_export_round_trips(open_wave, mailoutbox, tmp_path):
    tokens = link_tokens(mailoutbox)
    for n, email in enumerate(sorted(e for e in tokens if e.startswith("p"))[:12]):
        response_submit(token=tokens[email], answers=VICTIM if n % 3 == 0 else NOT_VICTIM)
    response_submit(
        token=tokens["sec@example.nl"],
        answers={
            "ag_checklist": dict.fromkeys(
                ("ag_policy", "registration", "aftercare_protocol", "aangifte_support", "training"),
                "yes",
            ),
            "integrity_checklist_staff": dict.fromkeys(
                (
                    "code_of_conduct",
                    "oath",
                    "risk_analysis",
                    "confidential_adviser",
                    "reporting_procedure",
                    "gift_register",
                    "side_activities",
                ),
                "no",
            ),
            "policy_evaluated": "yes",
        },
    )
    call_command("surveys", "export", str(open_wave.id), "--out", str(tmp_path))
    codebook = json.loads((tmp_path / "codebook.json").read_text())
    for code in ("office_holders", "employees", "organisations"):
        expected = response_table(wave=open_wave, instrument=code)
        columns = codebook["files"][f"{code}.csv"]["columns"]
        kinds = {c["name"]: c["type"] for c in columns}
        with (tmp_path / f"{code}.csv").open(encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = list(reader)
        # The codebook describes every column, and only those.
        assert header == list(expected) == [c["name"] for c in columns]
        from_csv = {h: [_typed(r[i], kinds[h]) for r in rows] for i, h in enumerate(header)}
        assert from_csv == expected
        from_parquet = pq.read_table(tmp_path / f"{code}.parquet").to_pydict()
        assert from_parquet == expected
        population = pq.read_table(tmp_path / f"{code}_population.parquet").to_pydict()
        pop_columns = [c["name"] for c in codebook["files"][f"{code}_population.csv"]["columns"]]
        assert list(population) == pop_columns
        assert population["population"] == [
            p["population"] for p in population_counts(wave=open_wave, instrument=code)
        ]
    office = response_table(wave=open_wave, instrument="office_holders")
    assert len(office["response_id"]) == 12
    assert sum(office["ag_types__none"]) == 8
    # Base weights add up to the frame of the strata with respondents.
    strata = dict(zip(office["stratum"], office["stratum_population"], strict=True))
    assert round(sum(office["base_weight"])) == sum(strata.values())
    organisations = response_table(wave=open_wave, instrument="organisations")
    assert organisations["organisation_code"] == ["GM0344"]
    assert set(office["organisation_code"]) == {None}
    # Open text is left out unless asked for.
    assert "remarks" not in office
    assert (tmp_path / "codebook.md").read_text().count("| `") >= len(office)


def test_every_answer_column_has_its_question_in_the_codebook(open_wave, tmp_path):
    result = wave_export(wave=open_wave, directory=tmp_path)
    assert result.rows == {"employees": 0, "office_holders": 0, "organisations": 0}
    codebook = json.loads((tmp_path / "codebook.json").read_text())
    for name, description in codebook["files"].items():
        for column in description.get("columns", []):
            assert column["type"] in {"string", "integer", "binary", "number"}, (name, column)
            assert column.get("description") or column.get("text", {}).get("en"), column


def test_export_of_an_unknown_wave_is_a_clear_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No wave"):
        call_command("surveys", "export", "1999", "--out", str(tmp_path))
    assert not any(tmp_path.iterdir())
