"""``vib incidents import`` with files that break the reader: a clear error naming the line,
never a traceback, and nothing written (issue #9; found by tests/fuzz)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vib.incidents.imports import IncidentImportError, incidents_import
from vib.incidents.models import Incident, Transition, Victim

pytestmark = pytest.mark.django_db

HEADER = "extern_id;datum_tijd;soorten;kanaal;plaats;ernst;omschrijving"
GOOD = "GIR-1;14-03-2025 10:30;verbaal;persoonlijk;balie_kantoor;ernstig;Schelden"


def _counts() -> tuple[int, int, int]:
    return Incident.objects.count(), Victim.objects.count(), Transition.objects.count()


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "gir.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_value_beyond_the_csv_field_limit_names_its_line(world, tmp_path):
    huge = "x" * (csv.field_size_limit() + 1)
    path = _csv(
        tmp_path, GOOD, f'GIR-2;14-03-2025 10:30;verbaal;persoonlijk;buiten;ernstig;"{huge}"'
    )
    before = _counts()
    with pytest.raises(IncidentImportError) as caught:
        incidents_import(path=path, organisation=world["a"].organisation)
    assert caught.value.lines == [3]
    assert f"longer than {csv.field_size_limit()} characters" in str(caught.value.errors[0])
    assert _counts() == before


def test_the_command_reports_it_without_a_traceback(world, tmp_path):
    path = tmp_path / "gir.csv"
    path.write_bytes((HEADER + "\n").encode() + b"x" * (1024 * 1024))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "incidents",
            "import",
            str(path),
            "--organisation",
            world["a"].organisation.code,
            stderr=err,
        )
    assert "Line 2, column -: This line cannot be read" in err.getvalue()
    assert Incident.objects.count() == 0


WORKBOOK = (
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _xlsx(tmp_path: Path, rows: str) -> Path:
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    path = tmp_path / "gir.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="1"><c r="A1" t="s"><v>7</v></c></row>',  # past the (absent) shared strings
        '<row r="1"><c r="A1" t="s"><v>seven</v></c></row>',
        '<row r="one"><c r="A1" t="inlineStr"><is><t>datum_tijd</t></is></c></row>',
    ],
    ids=["shared-string-index", "shared-string-not-a-number", "row-not-a-number"],
)
def test_a_damaged_workbook_is_refused(world, tmp_path, rows):
    with pytest.raises(IncidentImportError, match="The workbook is damaged"):
        incidents_import(path=_xlsx(tmp_path, rows), organisation=world["a"].organisation)
    assert Incident.objects.count() == 0


def test_a_corrupt_compressed_sheet_is_refused(world, tmp_path):
    path = _xlsx(tmp_path, '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>' * 50)
    content = bytearray(path.read_bytes())
    start = content.index(b"xl/worksheets/sheet1.xml") + 30
    for i in range(start, start + 20):
        content[i] ^= 0xFF
    path.write_bytes(bytes(content))
    with pytest.raises(IncidentImportError, match="The workbook is damaged"):
        incidents_import(path=path, organisation=world["a"].organisation)


def test_a_cell_far_beyond_the_last_column_is_refused_not_allocated(world, tmp_path):
    rows = '<row r="4"><c r="ZZZZZZZZZZ4" t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(IncidentImportError) as caught:
        incidents_import(path=_xlsx(tmp_path, rows), organisation=world["a"].organisation)
    assert caught.value.lines == [4]
    assert "more than 16384 columns" in str(caught.value.errors[0])


def test_a_nul_character_is_refused_with_its_line(world, tmp_path):
    path = _csv(tmp_path, GOOD, "GIR-2;14-03-2025 10:30;verbaal;persoonlijk;buiten;ernstig;a\x00b")
    with pytest.raises(IncidentImportError) as caught:
        incidents_import(path=path, organisation=world["a"].organisation)
    assert caught.value.lines == [3]
    assert "Null characters are not allowed." in str(caught.value.errors[0])
    assert Incident.objects.count() == 0


def test_an_oversized_value_is_not_repeated_whole_in_the_message(world, tmp_path):
    path = _csv(tmp_path, "GIR-1;" + "9" * 5000 + ";verbaal;persoonlijk;buiten;ernstig;x")
    with pytest.raises(IncidentImportError) as caught:
        incidents_import(path=path, organisation=world["a"].organisation)
    (message,) = (str(e) for e in caught.value.errors if e.column == "datum_tijd")
    assert "9" * 40 + "…" in message
    assert len(message) < 200
