"""What the public register shows, per office, with frozen time (ADR 0030).

* raadslid (elected representative): all functions and their income, immediately;
* full-time wethouder: functions immediately, income per calendar year by 1 April next year;
* designated official: functions (with restrictions), never income;
* other employees: never published.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from vib.core.errors import ValidationError
from vib.disclosures import selectors, services
from vib.disclosures.models import Office

pytestmark = pytest.mark.django_db

TZ = "Europe/Amsterdam"


def at(day: date):
    return time_machine.travel(f"{day.isoformat()} 12:00 +01:00", tick=False)


def _setup(town):
    p, org = town.people, town.organisation
    reg = p["registrar"]
    with at(date(2026, 3, 10)):
        function = services.designated_function_create(
            actor=reg, organisation=org, name="inkoper", designated_on=date(2020, 1, 1)
        )
        people = {
            "raadslid": services.declarant_create(
                actor=reg,
                organisation=org,
                user=p["raadslid"],
                name="Rita Raad",
                office=Office.REPRESENTATIVE,
                function="raadslid",
                appointed_on=date(2026, 3, 10),
            ),
            "wethouder": services.declarant_create(
                actor=reg,
                organisation=org,
                user=p["wethouder"],
                name="Wim Wet",
                office=Office.EXECUTIVE_FULL_TIME,
                function="wethouder",
                appointed_on=date(2022, 5, 1),
            ),
            "official": services.declarant_create(
                actor=reg,
                organisation=org,
                user=p["official"],
                name="Olga Inkoop",
                office=Office.DESIGNATED_OFFICIAL,
                function="inkoper",
                appointed_on=date(2020, 1, 1),
                designated_function=function,
            ),
            "employee": services.declarant_create(
                actor=reg,
                organisation=org,
                user=p["employee"],
                name="Eva Medewerker",
                office=Office.EMPLOYEE,
                function="beleidsmedewerker",
                appointed_on=date(2020, 1, 1),
            ),
        }
    acts = {}
    with at(date(2026, 3, 11)):
        for key, body in [
            ("raadslid", "Hogeschool Proef"),
            ("wethouder", "Stichting Sportfonds"),
            ("official", "Adviesbureau Inkoop B.V."),
            ("employee", "Zangkoor De Stem"),
        ]:
            declarant = people[key]
            acts[key] = services.side_activity_declare(
                actor=declarant.user,
                declarant=declarant,
                role="bestuurslid",
                body=body,
                start_date=date(2023, 1, 1),
                paid=True,
            )
        acts["qq"] = services.side_activity_declare(
            actor=p["wethouder"],
            declarant=people["wethouder"],
            role="lid algemeen bestuur",
            body="Veiligheidsregio Proef",
            start_date=date(2022, 5, 1),
            by_virtue_of_office=True,
        )
    with at(date(2026, 3, 12)):
        for activity in acts.values():
            services.side_activity_register(actor=reg, activity=activity)
        services.side_activity_assess(
            actor=p["compliance"],
            activity=acts["official"],
            decision="restricted",
            restrictions="Geen opdrachten van de eigen gemeente.",
        )
        services.income_record(
            actor=p["raadslid"], activity=acts["raadslid"], year=2026, amount=Decimal("5000")
        )
    with at(date(2025, 3, 1)):
        services.income_record(
            actor=reg, activity=acts["wethouder"], year=2024, amount=Decimal("1200")
        )
    return people, acts


def _page(client, town, day: date, **params):
    with at(day):
        return client.get(f"/nevenwerkzaamheden/openbaar/{town.organisation.code}", params)


def _csv(client, town, day: date, name: str) -> list[dict[str, str]]:
    with at(day):
        response = client.get(f"/nevenwerkzaamheden/openbaar/{town.organisation.code}/{name}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_raadslid_functions_and_income_are_published_immediately(town, client):
    _setup(town)
    # Before registration (11 March) nothing; the day it is registered, function and income.
    assert "Hogeschool Proef" not in _page(client, town, date(2026, 3, 11)).content.decode()
    page = _page(client, town, date(2026, 3, 12)).content.decode()
    assert "Rita Raad" in page
    assert "Hogeschool Proef" in page
    assert "€\u00a05.000" in page  # Dutch thousands separator (vib.web.formatting)
    income = [
        r
        for r in _csv(client, town, date(2026, 3, 12), "inkomsten.csv")
        if r["naam"] == "Rita Raad"
    ]
    assert [(r["jaar"], r["bedrag_euro"], r["gepubliceerd"]) for r in income] == [
        ("2026", "5000.00", "ja")
    ]
    rows = _csv(client, town, date(2026, 3, 12), "nevenfuncties.csv")
    assert {r["instantie"] for r in rows if r["naam"] == "Rita Raad"} == {"Hogeschool Proef"}
    # Schema 2.0: the Dutch name in `ambt`, the code in the last column `ambt_code`.
    assert {r["ambt"] for r in rows if r["naam"] == "Rita Raad"} == {"Volksvertegenwoordiger"}
    assert {r["ambt_code"] for r in rows if r["naam"] == "Rita Raad"} == {"representative"}
    assert {r["ambt_code"] for r in income} == {"representative"}
    assert list(rows[0])[-1] == "ambt_code"  # added at the end: older readers keep working


def test_raadslid_must_declare_immediately_after_appointment(town):
    org, reg = town.organisation, town.people["registrar"]
    with at(date(2026, 3, 1)):
        late = services.declarant_create(
            actor=reg,
            organisation=org,
            name="Lars Laat",
            office=Office.REPRESENTATIVE,
            function="raadslid",
            appointed_on=date(2026, 3, 1),
        )
    with at(date(2026, 3, 8)):
        assert not [
            o for o in selectors.overdue_declarations(organisation=org) if o.name == late.name
        ]
    with at(date(2026, 3, 9)):
        flagged = [
            o for o in selectors.overdue_declarations(organisation=org) if o.name == late.name
        ]
        assert [(o.kind, o.due_on) for o in flagged] == [("declaration", date(2026, 3, 8))]


def test_full_time_wethouder_publishes_income_per_year_by_1_april(town, client):
    people, acts = _setup(town)
    org = town.organisation
    wethouder_rows = lambda day: [  # noqa: E731
        (r["jaar"], r["bedrag_euro"], r["gepubliceerd"])
        for r in _csv(client, town, day, "inkomsten.csv")
        if r["naam"] == "Wim Wet"
    ]
    # Mid-March 2026: 2023 was due on 1 April 2024 and is missing; 2024 is published;
    # 2025 is not due until 1 April 2026; 2026 is still running.
    assert wethouder_rows(date(2026, 3, 15)) == [("2023", "", "nee"), ("2024", "1200.00", "ja")]
    with at(date(2026, 3, 15)):
        overdue = selectors.overdue_declarations(organisation=org)
    assert [(o.year, o.due_on) for o in overdue if o.name == "Wim Wet"] == [
        (2023, date(2024, 4, 1))
    ]
    # On 1 April itself 2025 is still in time; the day after it is overdue and flagged.
    with at(date(2026, 4, 1)):
        assert 2025 not in [o.year for o in selectors.overdue_declarations(organisation=org)]
    with at(date(2026, 4, 2)):
        assert 2025 in [o.year for o in selectors.overdue_declarations(organisation=org)]
    assert ("2025", "", "nee") in wethouder_rows(date(2026, 4, 2))
    # Income of the running year cannot be published yet.
    with at(date(2026, 4, 2)), pytest.raises(ValidationError):
        services.income_record(
            actor=people["wethouder"].user, activity=acts["wethouder"], year=2026, amount=Decimal(1)
        )
    with at(date(2026, 4, 3)):
        services.income_record(
            actor=people["wethouder"].user,
            activity=acts["wethouder"],
            year=2025,
            amount=Decimal(1300),
        )
        services.income_record(
            actor=people["wethouder"].user,
            activity=acts["wethouder"],
            year=2023,
            amount=Decimal(900),
        )
        assert not [
            o for o in selectors.overdue_declarations(organisation=org) if o.name == "Wim Wet"
        ]
    assert wethouder_rows(date(2026, 4, 3)) == [
        ("2023", "900.00", "ja"),
        ("2024", "1200.00", "ja"),
        ("2025", "1300.00", "ja"),
    ]
    # The register as it stood before the correction keeps what was published then.
    assert ("2025", "", "nee") in wethouder_rows(date(2026, 4, 2))


def test_qq_functions_are_listed_apart(town, client):
    _setup(town)
    with at(date(2026, 3, 15)):
        register = selectors.public_register(organisation=town.organisation)
    wim = next(p for p in register.people if p.name == "Wim Wet")
    assert [a.body for a in wim.qq] == ["Veiligheidsregio Proef"]
    assert [a.body for a in wim.other] == ["Stichting Sportfonds"]
    page = _page(client, town, date(2026, 3, 15)).content.decode()
    assert "Functies van Wim Wet uit hoofde van het ambt (q.q.)" in page
    assert "Andere nevenfuncties van Wim Wet" in page


def test_designated_official_is_published_without_income(town, client):
    _people, acts = _setup(town)
    with at(date(2026, 3, 15)), pytest.raises(ValidationError) as error:
        services.income_record(
            actor=town.people["registrar"], activity=acts["official"], year=2025, amount=Decimal(10)
        )
    assert "Income is not recorded for this office." in error.value.messages
    page = _page(client, town, date(2026, 3, 15)).content.decode()
    assert "Adviesbureau Inkoop B.V." in page
    assert "Geen opdrachten van de eigen gemeente." in page  # the restrictions are published
    rows = _csv(client, town, date(2026, 6, 1), "nevenfuncties.csv")
    official = [r for r in rows if r["naam"] == "Olga Inkoop"]
    assert official
    assert official[0]["beperkingen"] == "Geen opdrachten van de eigen gemeente."
    assert not [
        r
        for r in _csv(client, town, date(2026, 6, 1), "inkomsten.csv")
        if r["naam"] == "Olga Inkoop"
    ]
    with at(date(2026, 6, 1)):
        document = client.get(
            f"/nevenwerkzaamheden/openbaar/{town.organisation.code}/register.json"
        ).json()
    olga = next(p for p in document["personen"] if p["naam"] == "Olga Inkoop")
    assert olga["inkomstenOpenbaar"] is False
    assert "inkomsten" not in olga["overigeFuncties"][0]


def test_employees_and_unregistered_declarations_are_not_published(town, client):
    _setup(town)
    page = _page(client, town, date(2026, 6, 1)).content.decode()
    assert "Eva Medewerker" not in page
    assert "Zangkoor De Stem" not in page
    rows = _csv(client, town, date(2026, 6, 1), "nevenfuncties.csv")
    assert "Eva Medewerker" not in {r["naam"] for r in rows}


def test_published_history_stays_available(town, client):
    people, acts = _setup(town)
    with at(date(2026, 5, 1)):
        services.side_activity_end(
            actor=people["raadslid"].user, activity=acts["raadslid"], end_date=date(2026, 4, 30)
        )
    with at(date(2026, 6, 1)):
        register = selectors.public_register(organisation=town.organisation)
        earlier = selectors.public_register(organisation=town.organisation, on=date(2026, 4, 1))
    rita = next(p for p in register.people if p.name == "Rita Raad")
    assert [a.body for a in rita.former] == ["Hogeschool Proef"]
    assert not rita.other
    rita_then = next(p for p in earlier.people if p.name == "Rita Raad")
    assert [a.body for a in rita_then.other] == ["Hogeschool Proef"]
    # Leaving office moves a person to "former office holders", with their functions.
    with at(date(2026, 7, 1)):
        services.declarant_leave(
            actor=town.people["registrar"], declarant=people["wethouder"], left_on=date(2026, 6, 30)
        )
        register = selectors.public_register(organisation=town.organisation)
    assert "Wim Wet" in {p.name for p in register.former_people}
    assert "Wim Wet" not in {p.name for p in register.people}


def test_public_pages_need_no_login_and_take_few_queries(
    town, client, django_assert_max_num_queries
):
    _setup(town)
    with at(date(2026, 6, 1)), django_assert_max_num_queries(8):
        response = client.get(f"/nevenwerkzaamheden/openbaar/{town.organisation.code}")
    assert response.status_code == 200
    assert client.get("/nevenwerkzaamheden/openbaar/GM0000").status_code == 404
    bad_date = client.get(
        f"/nevenwerkzaamheden/openbaar/{town.organisation.code}", {"peildatum": "gisteren"}
    )
    assert bad_date.status_code == 200  # an unreadable date shows today's register
