"""The public register as open data: column names and documents are a stable interface
(ADR 0031). Change them only by adding columns at the end; never rename or reorder.

Schema 2.0 (ADR 0107): the CSV files' ``ambt`` column holds the office's Dutch name (it held
the code in 1.0); the code moved to a new last column ``ambt_code``. The JSON keeps ``ambt`` as
the code and adds ``ambtNaam``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import translation

from vib.disclosures.models import Office
from vib.disclosures.selectors import PublicActivity, PublicPerson, PublicRegister

SCHEMA_VERSION = "2.0"

ACTIVITY_COLUMNS = [
    "organisatie_code",
    "organisatie_naam",
    "peildatum",
    "persoon_id",
    "naam",
    "hoofdfunctie",
    "ambt",
    "in_functie",
    "nevenfunctie_id",
    "rol",
    "instantie",
    "kvk_nummer",
    "ambtshalve",
    "bezoldigd",
    "uren_per_maand",
    "voornemen",
    "begindatum",
    "einddatum",
    "beperkingen",
    "omschrijving",
    "ambt_code",  # 2.0
]

INCOME_COLUMNS = [
    "organisatie_code",
    "peildatum",
    "persoon_id",
    "naam",
    "ambt",
    "nevenfunctie_id",
    "instantie",
    "jaar",
    "bedrag_euro",
    "gepubliceerd",
    "ambt_code",  # 2.0
]


def _all(person: PublicPerson) -> Iterator[tuple[PublicActivity, bool]]:
    for activity in [*person.qq, *person.other]:
        yield activity, True
    for activity in person.former:
        yield activity, False


def _people(register: PublicRegister) -> Iterator[tuple[PublicPerson, bool]]:
    for person in register.people:
        yield person, True
    for person in register.former_people:
        yield person, False


def office_name(code: str) -> str:
    """The Dutch name of an office, whatever language the visitor chose (the files are Dutch)."""
    try:
        with translation.override("nl"):
            return str(Office(code).label)
    except ValueError:
        return code


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


def activity_rows(register: PublicRegister) -> Iterator[list[Any]]:
    org = register.organisation
    for person, in_office in _people(register):
        for activity, _current in _all(person):
            yield [
                org.code,
                org.name,
                register.on.isoformat(),
                person.id,
                person.name,
                person.function,
                office_name(person.office),
                _yes(in_office),
                activity.id,
                activity.role,
                activity.body,
                activity.kvk_number,
                _yes(activity.by_virtue_of_office),
                _yes(activity.paid),
                "" if activity.hours_per_month is None else activity.hours_per_month,
                _yes(activity.intention),
                activity.start_date.isoformat(),
                activity.end_date.isoformat() if activity.end_date else "",
                activity.restrictions,
                activity.description,
                person.office,
            ]


def income_rows(register: PublicRegister) -> Iterator[list[Any]]:
    org = register.organisation
    for person, _in_office in _people(register):
        if not person.income_published:
            continue
        for activity, _current in _all(person):
            for income in activity.incomes:
                yield [
                    org.code,
                    register.on.isoformat(),
                    person.id,
                    person.name,
                    office_name(person.office),
                    activity.id,
                    activity.body,
                    income.year,
                    "" if income.amount is None else f"{income.amount:.2f}",
                    _yes(income.amount is not None),
                    person.office,
                ]


def _activity_doc(activity: PublicActivity, income: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": activity.id,
        "rol": activity.role,
        "instantie": activity.body,
        "kvkNummer": activity.kvk_number or None,
        "ambtshalve": activity.by_virtue_of_office,
        "bezoldigd": activity.paid,
        "urenPerMaand": activity.hours_per_month,
        "voornemen": activity.intention,
        "begindatum": activity.start_date,
        "einddatum": activity.end_date,
        "beperkingen": activity.restrictions or None,
        "omschrijving": activity.description or None,
    }
    if income:
        doc["inkomsten"] = [{"jaar": i.year, "bedragEuro": i.amount} for i in activity.incomes]
    return doc


def person_document(person: PublicPerson) -> dict[str, Any]:
    income = person.income_published
    return {
        "id": person.id,
        "naam": person.name,
        "hoofdfunctie": person.function,
        "ambt": person.office,
        "ambtNaam": office_name(person.office),  # 2.0
        "benoemdOp": person.appointed_on,
        "uitDienstOp": person.left_on,
        "inkomstenOpenbaar": income,
        "ambtshalveFuncties": [_activity_doc(a, income) for a in person.qq],
        "overigeFuncties": [_activity_doc(a, income) for a in person.other],
        "eerdereFuncties": [_activity_doc(a, income) for a in person.former],
        "geschenken": [
            {
                "ontvangenOp": g.received_on,
                "omschrijving": g.description,
                "gever": g.giver,
                "geschatteWaardeEuro": g.estimated_value,
                "bestemming": g.disposition,
            }
            for g in person.gifts
        ],
    }


def register_document(register: PublicRegister) -> dict[str, Any]:
    org = register.organisation
    return {
        "schemaVersie": SCHEMA_VERSION,
        "organisatie": {"code": org.code, "naam": org.name, "bestuurslaag": org.tier},
        "peildatum": register.on,
        "personen": [person_document(p) for p in register.people],
        "eerderePersonen": [person_document(p) for p in register.former_people],
    }
