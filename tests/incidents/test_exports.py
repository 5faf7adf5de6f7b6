"""CSV and XLSX exports: streamed, formula injection escaped, and they import again."""

# ruff: noqa: S314 - the XML parsed here is what the code under test wrote

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.http import StreamingHttpResponse

from vib.audit.models import AuditEvent
from vib.incidents import exports, xlsx

from .conftest import report

pytestmark = pytest.mark.django_db

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DANGEROUS = ['=HYPERLINK("http://evil.example","klik")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_cells_that_look_like_formulas_are_escaped(value):
    assert exports.csv_value(value) == "'" + value
    assert exports.csv_value("gewone tekst") == "gewone tekst"
    assert exports.csv_value(Decimal("-12.50")) == "-12.50"  # a number stays a number


def test_xlsx_is_a_valid_workbook_with_typed_cells_and_no_formulas():
    rows = [
        ["=1+1", Decimal("12.50"), datetime(2026, 3, 2, 9, 30), "tekst\x07 met stuurteken", None],
        ["<b>&amp;</b>", 3, "", "meerdere\nregels", True],
    ]
    data = b"".join(xlsx.stream_xlsx(["a", "b", "c", "d", "e"], rows, sheet_name="Incidenten"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    names = set(archive.namelist())
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    } <= names
    for name in names:
        ElementTree.fromstring(archive.read(name))  # every part is well-formed XML
    sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    assert sheet.find(f".//{NS}f") is None  # never a formula
    cells = {c.get("r"): c for c in sheet.iter(f"{NS}c")}
    assert cells["A2"].get("t") == "inlineStr"
    assert cells["A2"].get("s") == "1"
    assert cells["A2"].findtext(f".//{NS}t") == "=1+1"
    assert cells["B2"].get("t") is None
    assert cells["B2"].findtext(f"{NS}v") == "12.50"
    assert cells["C2"].get("s") == "2"
    assert float(cells["C2"].findtext(f"{NS}v")) == pytest.approx(46083.3958333)
    assert cells["D2"].findtext(f".//{NS}t") == "tekst met stuurteken"
    assert "E2" not in cells
    assert cells["A3"].findtext(f".//{NS}t") == "<b>&amp;</b>"
    assert cells["A3"].get("s") is None
    styles = archive.read("xl/styles.xml").decode()
    assert 'quotePrefix="1"' in styles


def test_xlsx_streams_without_holding_the_rows():
    def rows():
        for i in range(5000):
            yield [f"regel {i}", i]

    chunks = xlsx.stream_xlsx(["a", "b"], rows(), flush_every=500)
    first = next(chunks)
    assert first.startswith(b"PK")  # bytes leave before the last row is produced
    rest = b"".join(chunks)
    sheet = zipfile.ZipFile(io.BytesIO(first + rest)).read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<row ") == 5001


def test_column_letters():
    assert [xlsx.column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def _export(client, kind: str, query: str = "") -> bytes:
    response = client.get(f"/incidenten/export?formaat={kind}{query}")
    assert response.status_code == 200, response.content[:500]
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_the_csv_export_escapes_and_follows_the_filters(world, client):
    a = world["a"]
    evil = report(
        a, description='=HYPERLINK("http://evil.example","klik")', location="+31 6 12345678"
    )
    report(a, channel="telefoon")
    client.force_login(a.people["coordinator"])
    rows = list(csv.DictReader(io.StringIO(_export(client, "csv").decode("utf-8-sig"))))
    assert len(rows) == 2
    row = next(r for r in rows if r["referentie"] == evil.reference)
    assert row["omschrijving"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert row["locatie"] == "'+31 6 12345678"
    assert row["soorten"] == "verbaal;bedreiging"
    assert row["organisatie"] == "GM9801"
    assert row["nazorg_open"] == "ja"
    filtered = list(
        csv.DictReader(io.StringIO(_export(client, "csv", "&kanaal=telefoon").decode("utf-8-sig")))
    )
    assert [r["kanaal"] for r in filtered] == ["telefoon"]
    assert (
        AuditEvent.objects.filter(action="export", organisation_id=str(a.organisation.pk)).count()
        == 2
    )


def test_the_xlsx_export(world, client):
    a = world["a"]
    report(a, description="@SUM(1+1)*cmd|' /C calc'!A0")
    client.force_login(a.people["hr"])
    archive = zipfile.ZipFile(io.BytesIO(_export(client, "xlsx")))
    sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    assert sheet.find(f".//{NS}f") is None
    texts = [c for c in sheet.iter(f"{NS}c") if c.findtext(f".//{NS}t", "").startswith("@SUM")]
    assert texts
    assert texts[0].get("s") == "1"


def test_only_the_export_right_may_export(world, client):
    a, b = world["a"], world["b"]
    report(a)
    for who in (a.people["manager"], a.people["employee"], a.people["secretaris"]):
        client.force_login(who)
        assert client.get("/incidenten/export?formaat=csv").status_code == 404
    client.force_login(b.people["coordinator"])  # exports B only
    rows = list(csv.DictReader(io.StringIO(_export(client, "csv").decode("utf-8-sig"))))
    assert rows == []
    client.force_login(a.people["coordinator"])
    assert client.get("/incidenten/export?formaat=ods").status_code == 404


SOFFICE = shutil.which("soffice")
CSV_IN = "CSV:44,34,76,1,,0,false,true,true,false,false,0,true"  # 13th token: evaluate formulas
CSV_OUT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false"


def _calc(path: Path, outdir: Path, infilter: str | None = None) -> list[list[str]]:
    """What LibreOffice Calc shows for the file (its cells exported as shown)."""
    command = [SOFFICE, "--headless", f"-env:UserInstallation=file://{outdir}/profile"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", CSV_OUT, "--outdir", str(outdir), str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return list(csv.reader((outdir / (path.stem + ".csv")).read_text().splitlines()))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_spreadsheet_runs_none_of_the_formulas(tmp_path):
    rows = [["=1+1", '=HYPERLINK("http://evil.example","klik")', "@SUM(1,2)", Decimal("12.5")]]
    header = ["a", "b", "c", "d"]
    (tmp_path / "export.xlsx").write_bytes(b"".join(xlsx.stream_xlsx(header, rows)))
    (tmp_path / "export.csv").write_bytes(b"".join(exports.stream_csv(header, rows)))
    (tmp_path / "naive.csv").write_text("a,b\n=1+1,x\n")
    # The check is real: with formula evaluation on, Calc computes a naive CSV's =1+1.
    assert _calc(tmp_path / "naive.csv", tmp_path / "n", CSV_IN)[1][0] == "2"
    shown = _calc(tmp_path / "export.xlsx", tmp_path / "x")[1]
    assert shown[:3] == rows[0][:3]
    assert shown[3] == "12.5"
    shown = _calc(tmp_path / "export.csv", tmp_path / "c", CSV_IN)[1]
    assert shown[:3] == ["'" + value for value in rows[0][:3]]
