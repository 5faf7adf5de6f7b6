"""Demo part of the disclosures module: a register for each demo tenant (all synthetic).

Tenant A (a municipality) gets a full-time burgemeester and wethouder, raadsleden, a
designated official with a financial interest, a pending declaration, a gift, an overdue
raadslid and an open confirmation round; tenants B and C one office holder each.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from vib.core.demo import DemoContext
from vib.disclosures.models import (
    ActivityEvent,
    ActivityIncome,
    ActivityStatus,
    Confirmation,
    ConfirmationRound,
    Declarant,
    DesignatedFunction,
    FinancialInterest,
    Gift,
    GiftDisposition,
    InterestHolder,
    InterestKind,
    InterestOccasion,
    Office,
    SideActivity,
)

BODIES = [
    ("bestuurslid", "Stichting Buurthuis De Demo"),
    ("voorzitter", "Voetbalvereniging Proefpolder"),
    ("lid raad van toezicht", "Zorggroep Voorbeeldstad"),
    ("docent", "Hogeschool Fictief"),
    ("adviseur", "Adviesbureau Testkwartier B.V."),
    ("penningmeester", "Muziekvereniging Steekproef"),
]


def _declarant(organisation, name, office, function, appointed_on, user=None, designated=None):
    return Declarant.objects.create(
        organisation=organisation,
        user=user,
        name=name,
        office=office,
        function=function,
        appointed_on=appointed_on,
        designated_function=designated,
    )


def _activity(
    declarant: Declarant,
    role: str,
    body: str,
    start: date,
    *,
    qq: bool = False,
    paid: bool = False,
    registered: bool = True,
    incomes: dict[int, int] | None = None,
    decision: str = "",
    restrictions: str = "",
    kvk: str = "",
) -> SideActivity:
    now = timezone.now()
    activity = SideActivity.objects.create(
        organisation=declarant.organisation,
        declarant=declarant,
        role=role,
        body=body,
        kvk_number=kvk,
        by_virtue_of_office=qq,
        paid=paid,
        hours_per_month=Decimal(4 if qq else 8),
        start_date=start,
        status=ActivityStatus.REGISTERED if registered else ActivityStatus.DECLARED,
        declared_at=now,
        registered_on=max(start, declarant.appointed_on) if registered else None,
        decision=decision,
        restrictions=restrictions,
    )
    ActivityEvent.objects.create(activity=activity, at=now, to_status=ActivityStatus.DECLARED)
    if registered:
        ActivityEvent.objects.create(
            activity=activity,
            at=now,
            from_status=ActivityStatus.DECLARED,
            to_status=ActivityStatus.REGISTERED,
        )
    for year, amount in (incomes or {}).items():
        ActivityIncome.objects.create(
            activity=activity, year=year, amount=Decimal(amount), declared_on=date(year + 1, 3, 1)
        )
    return activity


def build(ctx: DemoContext) -> None:
    tenants = ctx.shared["tenants"]
    users = ctx.shared["users"]
    rng = ctx.rng
    today = timezone.localdate()
    last_year = today.year - 1
    a = tenants["a"]

    handhaver = DesignatedFunction.objects.create(
        organisation=a,
        name="handhaver",
        reason="Toezicht en handhaving: kwetsbare functie.",
        designated_on=date(2020, 1, 1),
    )
    DesignatedFunction.objects.create(
        organisation=a,
        name="inkoper",
        reason="Inkoop en aanbesteding: kwetsbare functie.",
        designated_on=date(2020, 1, 1),
    )

    mayor = _declarant(
        a,
        users["burgemeester"].full_name,
        Office.EXECUTIVE_FULL_TIME,
        "burgemeester",
        date(2020, 9, 1),
        users["burgemeester"],
    )
    _activity(mayor, "voorzitter", "Veiligheidsregio Utrecht (demo)", date(2020, 9, 1), qq=True)
    _activity(
        mayor,
        "lid raad van toezicht",
        "Stichting Museum Demo",
        date(2021, 1, 1),
        paid=True,
        incomes={y: 1800 + 100 * (y - 2021) for y in range(2021, last_year + 1)},
    )
    Gift.objects.create(
        organisation=a,
        declarant=mayor,
        received_on=today - timedelta(days=40),
        description="Fles wijn en boek bij jubileum",
        giver="Ondernemersvereniging Demo",
        estimated_value=Decimal("75.00"),
        disposition=GiftDisposition.HANDED_OVER,
        registered_at=timezone.now(),
    )

    alderman = _declarant(
        a,
        users["wethouder"].full_name,
        Office.EXECUTIVE_FULL_TIME,
        "wethouder",
        date(2022, 6, 1),
        users["wethouder"],
    )
    _activity(alderman, "lid algemeen bestuur", "Recreatieschap Demo", date(2022, 6, 1), qq=True)
    _activity(
        alderman,
        "bestuurslid",
        "Stichting Sportfonds Demo",
        date(2022, 9, 1),
        paid=True,
        incomes=dict.fromkeys(range(2022, last_year + 1), 1200),
    )

    member = _declarant(
        a,
        users["raadslid"].full_name,
        Office.REPRESENTATIVE,
        "raadslid",
        date(2022, 3, 30),
        users["raadslid"],
    )
    _activity(
        member,
        "docent",
        "Hogeschool Fictief",
        date(2019, 9, 1),
        paid=True,
        incomes={y: 30000 + 500 * (y - 2022) for y in range(2022, today.year + 1)},
    )
    _activity(member, "penningmeester", "Voetbalvereniging Proefpolder", date(2018, 1, 1))

    for index in range(3 if ctx.scale == "small" else 30):
        name = f"Raadslid Demo {index + 1}"
        other = _declarant(a, name, Office.REPRESENTATIVE, "raadslid", date(2022, 3, 30))
        for role, body in rng.sample(BODIES, k=rng.randint(1, 3)):
            paid = rng.random() < 0.4
            _activity(
                other,
                role,
                body,
                date(rng.randint(2015, 2022), rng.randint(1, 12), 1),
                paid=paid,
                incomes={y: rng.randint(5, 60) * 100 for y in range(2022, today.year + 1)}
                if paid
                else None,
            )
    # Appointed a month ago and not declared: the registrar sees this flagged as overdue.
    _declarant(a, "Raadslid Nieuw-Demo", Office.REPRESENTATIVE, "raadslid", today - timedelta(30))

    official = _declarant(
        a,
        users["medewerker"].full_name,
        Office.DESIGNATED_OFFICIAL,
        "handhaver",
        date(2019, 1, 1),
        users["medewerker"],
        handhaver,
    )
    _activity(
        official,
        "scheidsrechter",
        "Voetbalbond district Demo",
        date(2019, 8, 1),
        paid=True,
        decision="restricted",
        restrictions="Niet bij wedstrijden binnen de eigen gemeente.",
    )
    FinancialInterest.objects.create(
        organisation=a,
        declarant=official,
        kind=InterestKind.SHARES,
        holder=InterestHolder.PARTNER,
        occasion=InterestOccasion.FIRST,
        counterparty="Bouwbedrijf Demo B.V.",
        kvk_number="12345678",
        description="Aandelen (circa 2%) in een bouwbedrijf dat in de gemeente werkt.",
        declared_at=timezone.now(),
    )

    manager = _declarant(
        a,
        users["leidinggevende"].full_name,
        Office.EMPLOYEE,
        "teamleider",
        date(2018, 1, 1),
        users["leidinggevende"],
    )
    _activity(
        manager,
        "adviseur",
        "Adviesbureau Testkwartier B.V.",
        today + timedelta(days=30),
        paid=True,
        registered=False,
        kvk="87654321",
    )

    round_ = ConfirmationRound.objects.create(
        organisation=a, year=today.year, opened_on=today, due_on=today + timedelta(days=60)
    )
    Confirmation.objects.bulk_create(
        Confirmation(round=round_, declarant=d)
        for d in Declarant.objects.filter(organisation=a, left_on=None)
    )

    # Tenants B and C: one office holder each.
    statenlid = _declarant(
        tenants["b"],
        users["statenlid"].full_name,
        Office.REPRESENTATIVE,
        "Statenlid",
        date(2023, 3, 29),
        users["statenlid"],
    )
    _activity(statenlid, "bestuurslid", "Stichting Buurthuis De Demo", date(2020, 1, 1))
    dijkgraaf = _declarant(
        tenants["c"],
        users["dijkgraaf"].full_name,
        Office.EXECUTIVE_FULL_TIME,
        "dijkgraaf",
        date(2021, 1, 1),
        users["dijkgraaf"],
    )
    _activity(
        dijkgraaf, "voorzitter", "Unie van Waterschappen-commissie Demo", date(2021, 1, 1), qq=True
    )
