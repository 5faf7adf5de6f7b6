"""Rules of the services: bad input is refused with a clear message and writes nothing;
the workflow and the assessment history; the conflicts selector the integrity module calls."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from vib.core.errors import ValidationError
from vib.disclosures import selectors, services
from vib.disclosures.models import ActivityEvent, FinancialInterest, Gift, Office, SideActivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(town):
    p, org = town.people, town.organisation
    function = services.designated_function_create(
        actor=p["registrar"], organisation=org, name="inkoper", designated_on=date(2020, 1, 1)
    )
    return {
        "official": services.declarant_create(
            actor=p["registrar"],
            organisation=org,
            user=p["official"],
            name="Olga",
            office=Office.DESIGNATED_OFFICIAL,
            function="inkoper",
            appointed_on=date(2020, 1, 1),
            designated_function=function,
        ),
        "wethouder": services.declarant_create(
            actor=p["registrar"],
            organisation=org,
            user=p["wethouder"],
            name="Wim",
            office=Office.EXECUTIVE_FULL_TIME,
            function="wethouder",
            appointed_on=date(2022, 1, 1),
        ),
    }


def _declare(declarant, **extra):
    values = {"role": "bestuurslid", "body": "Stichting X", "start_date": date(2024, 1, 1)}
    values.update(extra)
    return services.side_activity_declare(actor=declarant.user, declarant=declarant, **values)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"end_date": date(2023, 1, 1)}, "end_date", "The end date lies before the start date."),
        ({"kvk_number": "1234"}, "kvk_number", "A KvK number has exactly 8 digits."),
        (
            {"council_informed_on": date(2024, 1, 1)},
            "council_informed_on",
            "Only an intention is reported to the council.",
        ),
        ({"role": ""}, "role", "This field cannot be blank."),
    ],
)
def test_bad_declarations_are_refused_and_write_nothing(people, extra, field, message):
    before = (SideActivity.objects.count(), ActivityEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        _declare(people["wethouder"], **extra)
    assert message in error.value.message_dict[field]
    assert (SideActivity.objects.count(), ActivityEvent.objects.count()) == before


def test_someone_else_cannot_declare_for_you(town, people):
    with pytest.raises(PermissionDenied):
        services.side_activity_declare(
            actor=town.people["employee"],
            declarant=people["wethouder"],
            role="x",
            body="y",
            start_date=date(2024, 1, 1),
        )


def test_workflow_and_assessment_history(town, people):
    activity = _declare(people["official"])
    with pytest.raises(PermissionDenied):
        services.side_activity_register(actor=town.people["manager"], activity=activity)
    activity = services.side_activity_register(actor=town.people["registrar"], activity=activity)
    with pytest.raises(ValidationError, match="cannot become"):
        services.side_activity_register(actor=town.people["registrar"], activity=activity)
    with pytest.raises(ValidationError) as error:
        services.side_activity_assess(
            actor=town.people["manager"], activity=activity, decision="restricted"
        )
    assert error.value.message_dict["restrictions"] == ["Describe the restrictions."]
    services.side_activity_assess(
        actor=town.people["manager"], activity=activity, decision="allowed"
    )
    services.side_activity_assess(
        actor=town.people["compliance"],
        activity=activity,
        decision="restricted",
        restrictions="Niet voor de eigen gemeente.",
    )
    with pytest.raises(ValidationError, match="own side activity"):
        services.side_activity_assess(
            actor=town.people["official"], activity=activity, decision="allowed"
        )
    history = list(activity.events.values_list("to_status", "decision"))
    assert history == [("declared", ""), ("registered", ""), ("", "allowed"), ("", "restricted")]
    activity.refresh_from_db()
    assert activity.decision == "restricted"


def test_financial_interests_only_for_designated_functions(town, people):
    with pytest.raises(ValidationError, match="not designated"):
        services.financial_interest_declare(
            actor=town.people["wethouder"],
            declarant=people["wethouder"],
            kind="shares",
            holder="self",
            occasion="first",
            description="x",
        )
    with pytest.raises(ValidationError) as error:
        services.financial_interest_declare(
            actor=town.people["official"],
            declarant=people["official"],
            kind="gold",
            holder="cousin",
            occasion="first",
            description=" ",
        )
    assert set(error.value.message_dict) == {"kind", "holder", "description"}
    assert FinancialInterest.objects.count() == 0


def test_gifts_above_50_are_published_for_office_holders_only(town, people, client):
    for declarant in people.values():
        for value in (Decimal("50.00"), Decimal("50.01")):
            services.gift_register(
                actor=declarant.user,
                declarant=declarant,
                received_on=date(2026, 1, 5),
                description=f"Boek {value} {declarant.name}",
                giver="Uitgeverij",
                estimated_value=value,
                disposition="kept",
            )
    with pytest.raises(ValidationError):
        services.gift_register(
            actor=town.people["wethouder"],
            declarant=people["wethouder"],
            received_on=date(2026, 1, 5),
            description="x",
            giver="y",
            estimated_value=Decimal(-1),
            disposition="kept",
        )
    assert Gift.objects.count() == 4
    register = selectors.public_register(organisation=town.organisation)
    gifts = {g.description for p in register.people for g in p.gifts}
    assert gifts == {"Boek 50.01 Wim"}


def test_conflicted_people(town, people):
    official, wethouder = people["official"], people["wethouder"]
    _declare(official, body="Bouwbedrijf  Noord B.V.")
    withdrawn = _declare(wethouder, body="Bouwbedrijf Noord B.V.")
    services.side_activity_withdraw(actor=wethouder.user, activity=withdrawn)
    services.financial_interest_declare(
        actor=official.user,
        declarant=official,
        kind="shares",
        holder="partner",
        occasion="first",
        description="aandelen",
        kvk_number="12345678",
    )
    org = town.organisation
    select = selectors.conflicted_people
    assert select(organisation=org, bodies=["bouwbedrijf noord b.v."]) == {official.user_id}
    assert select(organisation=org, kvk_numbers=["12345678"]) == {official.user_id}
    assert (
        select(organisation=org, kvk_numbers=["12345678"], candidates=[wethouder.user_id]) == set()
    )
    assert select(organisation=town.other, bodies=["Bouwbedrijf Noord B.V."]) == set()
    assert select(organisation=org) == set()
    # Not running on the date asked about: no tie.
    assert select(organisation=org, bodies=["Bouwbedrijf Noord B.V."], on=date(2023, 6, 1)) == set()


def test_overlap_with_vulnerable_processes(town, people):
    from vib.governance.services import vulnerable_process_create

    _declare(people["official"], body="Inkoopadvies B.V.")
    vulnerable_process_create(
        actor=town.people["secretaris"],
        organisation=town.organisation,
        name="Inkoop",
        kind="procurement",
        risk="high",
        functions=["Inkoper"],
        next_review_on=date(2099, 1, 1),
    )
    overlaps = selectors.process_overlaps(organisation=town.organisation)
    assert [(o.name, o.processes) for o in overlaps] == [("Olga", ("Inkoop",))]
    assert overlaps[0].financial_interests is None  # the registrar does not learn of interests


def test_yearly_confirmation_round(town, people):
    activity = _declare(people["wethouder"])
    services.side_activity_register(actor=town.people["registrar"], activity=activity)
    with pytest.raises(ValidationError):
        services.confirmation_confirm(actor=town.people["wethouder"], declarant=people["wethouder"])
    services.confirmation_round_open(
        actor=town.people["registrar"],
        organisation=town.organisation,
        year=2026,
        due_on=date(2099, 1, 1),
    )
    from vib.disclosures.tasks import confirmation_reminders

    assert confirmation_reminders.call() == 2
    assert (
        services.confirmation_confirm(actor=town.people["wethouder"], declarant=people["wethouder"])
        == 1
    )
    assert confirmation_reminders.call() == 0  # reminded today already
    with time_machine.travel(timezone.localdate() + timedelta(days=15)):
        assert confirmation_reminders.call() == 1  # only the one who has not confirmed
