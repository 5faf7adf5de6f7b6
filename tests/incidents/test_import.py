"""``vib incidents import FILE.csv|xlsx``: all or nothing, with a row-by-row error report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vib.audit.models import AuditEvent
from vib.incidents import selectors, xlsx
from vib.incidents.imports import IncidentImportError, incidents_import
from vib.incidents.models import Incident, PoliceReport, Transition, Victim

from .conftest import report

pytestmark = pytest.mark.django_db

HEADER = ";".join(
    [
        "extern_id",
        "datum_tijd",
        "soorten",
        "kanaal",
        "platform",
        "plaats",
        "ernst",
        "eenheid",
        "slachtoffergroepen",
        "status",
        "schade_euro",
        "politie",
        "vpt",
        "omschrijving",
    ]
)
GOOD = [
    # Dutch labels, a Dutch date, a unit by name.
    "GIR-1;14-03-2025 10:30;Verbale agressie;persoonlijk;;balie_kantoor;ernstig;Publiekszaken;"
    "medewerker;afgesloten;;;;Schelden aan de balie",
    # Several types and groups, an ISO moment, a police complaint.
    "GIR-2;2025-04-01T21:15;bedreiging, intimidatie;sociale_media;x;online;zeer ernstig;;"
    "bestuurder|volksvertegenwoordiger;nazorg;;aangifte;ja;Bedreiging via X",
    # A Dutch amount.
    "GIR-3;2025-05-20 08:00;eigendommen;persoonlijk;;buiten;minder_ernstig;Handhaving;;gemeld;"
    "1.234,50;melding;nee;Band lek gestoken",
]


def _write(tmp_path: Path, lines: list[str], name: str = "gir.csv") -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_good_file_is_imported_whole(world, tmp_path):
    a = world["a"]
    result = incidents_import(
        path=_write(tmp_path, GOOD), organisation=a.organisation, source="GIR"
    )
    assert result.created == 3
    assert result.organisations == ("GM9801",)
    first = Incident.objects.get(external_id="GIR-1")
    assert first.type_values == ["verbaal"]
    assert first.unit == a.units["Publiekszaken"]
    assert first.status == "afgesloten"
    assert first.closed_at is not None
    assert first.source == "GIR"
    second = Incident.objects.get(external_id="GIR-2")
    assert set(second.group_values) == {"bestuurder", "volksvertegenwoordiger"}
    assert second.platform == "x"
    assert Victim.objects.filter(incident=second).count() == 2
    assert PoliceReport.objects.get(incident=second).kind == "aangifte"
    third = Incident.objects.get(external_id="GIR-3")
    assert str(third.damage_amount) == "1234.50"
    assert not PoliceReport.objects.get(incident=third).vpt
    assert Transition.objects.filter(incident__in=[first, second, third]).count() == 3
    assert AuditEvent.objects.filter(action="create", origin="cli").count() == 3


def test_three_bad_rows_import_nothing_and_are_named(world, tmp_path):
    lines = [
        *GOOD,
        "GIR-4;31-02-2025 10:00;verbaal;persoonlijk;;balie_kantoor;ernstig;;;;;;;",  # no such date
        "GIR-5;2025-06-01 10:00;verbaal;duiven;;balie_kantoor;ernstig;;;;;;;",  # unknown channel
        # No type, a platform without social media, a unit that does not exist.
        "GIR-6;2025-06-02 10:00;;telefoon;x;balie_kantoor;ernstig;Kantine;;;;;;",
        "GIR-7;2025-06-03 11:00;verbaal;telefoon;;balie_kantoor;ernstig;;;;;;;",
    ]
    path = _write(tmp_path, lines)
    with pytest.raises(IncidentImportError) as caught:
        incidents_import(path=path, organisation=world["a"].organisation)
    assert caught.value.lines == [5, 6, 7]
    messages = [str(e) for e in caught.value.errors]
    assert any("Line 5, column datum_tijd" in m for m in messages)
    assert any("Line 6, column kanaal" in m for m in messages)
    assert any("Line 7, column soorten" in m for m in messages)
    assert any("Line 7, column eenheid" in m for m in messages)
    assert any("Line 7, column platform" in m for m in messages)
    assert not Incident.objects.exists()

    err = io.StringIO()
    with pytest.raises(CommandError) as command:
        call_command(
            "incidents",
            "import",
            str(path),
            "--organisation",
            "GM9801",
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "errors on 3 rows (5, 6, 7); nothing was imported" in str(command.value)
    assert "Line 6, column kanaal: Unknown value 'duiven'." in err.getvalue()
    assert not Incident.objects.exists()


def test_header_problems_and_duplicates(world, tmp_path):
    a = world["a"]
    path = tmp_path / "bad.csv"
    path.write_text("datum_tijd,soorten,geheim\n2025-01-01 10:00,verbaal,x\n", encoding="utf-8")
    with pytest.raises(IncidentImportError) as caught:
        incidents_import(path=path, organisation=a.organisation)
    assert {e.column for e in caught.value.errors} == {"kanaal", "ernst", "plaats", "geheim"}
    incidents_import(path=_write(tmp_path, GOOD[:1]), organisation=a.organisation, source="GIR")
    with pytest.raises(IncidentImportError) as again:
        incidents_import(
            path=_write(tmp_path, [GOOD[0], GOOD[0]]), organisation=a.organisation, source="GIR"
        )
    assert {(e.line, e.column) for e in again.value.errors} == {(2, "extern_id"), (3, "extern_id")}
    assert Incident.objects.count() == 1


def test_the_organisation_comes_from_the_file_or_the_option(world, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(
        "organisatie,datum_tijd,soorten,kanaal,ernst,plaats\n"
        "GM9802,2025-01-01 10:00,verbaal,telefoon,ernstig,balie_kantoor\n"
        "GM0000,2025-01-01 10:00,verbaal,telefoon,ernstig,balie_kantoor\n"
        ",2025-01-01 10:00,verbaal,telefoon,ernstig,balie_kantoor\n",
        encoding="utf-8",
    )
    with pytest.raises(IncidentImportError) as caught:
        incidents_import(path=path)
    assert {(e.line, e.column) for e in caught.value.errors} == {
        (3, "organisatie"),
        (4, "organisatie"),
    }


def test_an_xlsx_export_imports_again(world, tmp_path):
    a = world["a"]
    report(
        a,
        description="Export en weer terug",
        channel="sociale_media",
        platform="tiktok",
        place_kind="online",
    )
    rows = list(selectors.export_rows(Incident.objects.all()))
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(xlsx.stream_xlsx(selectors.EXPORT_COLUMNS, rows)))
    result = incidents_import(path=path, source="VIB")
    assert result.created == 1
    copy = Incident.objects.exclude(pk=Incident.objects.order_by("created_at").first().pk).get()
    assert copy.description == "Export en weer terug"
    assert copy.platform == "tiktok"
    assert copy.organisation == a.organisation
    assert copy.type_values == ["verbaal", "bedreiging"]


def test_a_file_that_is_neither_csv_nor_xlsx(world, tmp_path):
    path = tmp_path / "kapot.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(IncidentImportError, match="neither a CSV file"):
        incidents_import(path=path, organisation=world["a"].organisation)
