"""Demo incidents, shaped after the Monitor Integriteit en Veiligheid (all synthetic).

* Employees meet aggression mostly face to face and by phone; political office holders far
  more often online and at home (the monitor: social-media aggression against PAs doubled
  between 2014 and 2016, and PA victimisation rose to 49 % in 2022).
* Verbal aggression is the most common type, then threats and intimidation; physical
  violence is rare. A&G dips in the summer holidays and rises towards the winter; PAs see a
  peak around elections.
* Tenant A (Utrecht) gets a handful of hand-made incidents that show every part of the
  handling: an overdue first contact, a police aangifte with VPT flag, measures, aftercare.
* Sixteen other large municipalities get incidents too, so the benchmark has a comparison
  group. The registry ships without inhabitants and staff; the demo fills in approximate
  public inhabitant counts and synthetic staff numbers for the organisations it uses,
  through the registry's own import service.

Rows are written with ``bulk_create`` (the demo is built in every test database that asks
for it, so it must stay fast); hand-made incidents carry a history and aftercare like the
services would have written.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vib.core.demo import DemoContext
from vib.incidents import aftercare, codes
from vib.incidents.models import (
    AftercareStep,
    Incident,
    Measure,
    Perpetrator,
    PoliceReport,
    Transition,
    Victim,
)
from vib.incidents.services import new_reference
from vib.organisations.models import Organisation, Unit
from vib.organisations.services import registry_import

# (inhabitants ≈ CBS 2024, synthetic staff) — demo figures, not official ones.
FIGURES: dict[str, tuple[int | None, int]] = {
    "GM0344": (374_000, 4_800),
    "PV26": (None, 1_050),
    "WS0155": (None, 420),
    "BZK": (None, 2_300),
    "GM0363": (931_000, 16_000),
    "GM0599": (670_000, 12_000),
    "GM0518": (566_000, 9_500),
    "GM0772": (246_000, 3_200),
    "GM0014": (243_000, 3_300),
    "GM0855": (229_000, 2_900),
    "GM0034": (226_000, 2_600),
    "GM0758": (186_000, 2_100),
    "GM0268": (183_000, 2_200),
    "GM0200": (168_000, 1_700),
    "GM0202": (167_000, 2_000),
    "GM0392": (167_000, 1_900),
    "GM0153": (161_000, 1_900),
    "GM0307": (161_000, 1_600),
    "GM0479": (160_000, 1_500),
    "GM0796": (160_000, 1_800),
    "GM0394": (162_000, 1_600),
}
COMPARISON = [code for code in FIGURES if code.startswith("GM") and code != "GM0344"]

# Incidents per tenant over two years, and per comparison municipality (min, max).
VOLUME: dict[str, dict[str, int]] = {
    "small": {"a": 120, "b": 36, "c": 16, "d": 48},
    "large": {"a": 6000, "b": 1400, "c": 500, "d": 2200},
}
OTHERS: dict[str, tuple[int, int]] = {"small": (12, 40), "large": (400, 2500)}
# Share of incidents against political office holders, per tier of the tenant.
PA_SHARE = {"a": 0.22, "b": 0.30, "c": 0.15, "d": 0.05}

EMPLOYEE_TYPES = {
    codes.IncidentType.VERBAL: 0.62,
    codes.IncidentType.THREAT: 0.24,
    codes.IncidentType.INTIMIDATION: 0.18,
    codes.IncidentType.DISCRIMINATORY: 0.10,
    codes.IncidentType.SEXUAL: 0.05,
    codes.IncidentType.PHYSICAL: 0.08,
    codes.IncidentType.PROPERTY: 0.06,
}
PA_TYPES = {
    codes.IncidentType.VERBAL: 0.55,
    codes.IncidentType.THREAT: 0.36,
    codes.IncidentType.INTIMIDATION: 0.32,
    codes.IncidentType.DISCRIMINATORY: 0.15,
    codes.IncidentType.SEXUAL: 0.05,
    codes.IncidentType.PHYSICAL: 0.03,
    codes.IncidentType.PROPERTY: 0.04,
}
EMPLOYEE_CHANNELS = {
    codes.Channel.FACE_TO_FACE: 55,
    codes.Channel.PHONE: 20,
    codes.Channel.MAIL: 10,
    codes.Channel.SOCIAL_MEDIA: 8,
    codes.Channel.AT_HOME: 2,
    codes.Channel.OTHER: 5,
}
PA_CHANNELS = {
    codes.Channel.SOCIAL_MEDIA: 45,
    codes.Channel.MAIL: 20,
    codes.Channel.FACE_TO_FACE: 20,
    codes.Channel.PHONE: 7,
    codes.Channel.AT_HOME: 6,
    codes.Channel.OTHER: 2,
}
PLATFORMS = {
    codes.Platform.X: 35,
    codes.Platform.FACEBOOK: 25,
    codes.Platform.INSTAGRAM: 12,
    codes.Platform.TIKTOK: 8,
    codes.Platform.WHATSAPP: 8,
    codes.Platform.YOUTUBE: 4,
    codes.Platform.LINKEDIN: 3,
    codes.Platform.TELEGRAM: 5,
}
SEVERITIES = {codes.Severity.LESS: 50, codes.Severity.SERIOUS: 35, codes.Severity.VERY: 15}
PERPETRATORS = {
    codes.PerpetratorCategory.CITIZEN: 55,
    codes.PerpetratorCategory.CLIENT: 30,
    codes.PerpetratorCategory.COLLEAGUE: 3,
    codes.PerpetratorCategory.UNKNOWN: 12,
}
# Relative weight of each calendar month (summer dip, winter rise).
SEASON = [1.15, 1.05, 1.1, 1.0, 1.0, 0.95, 0.75, 0.75, 1.0, 1.05, 1.1, 1.1]
EMPLOYEE_FUNCTIONS = [
    "baliemedewerker",
    "handhaver",
    "klantmanager",
    "wijkbeheerder",
    "beleidsmedewerker",
    "parkeercontroleur",
]
PA_FUNCTIONS = {
    "gemeente": [
        ("bestuurder", "wethouder"),
        ("bestuurder", "burgemeester"),
        ("volksvertegenwoordiger", "raadslid"),
    ],
    "provincie": [("bestuurder", "gedeputeerde"), ("volksvertegenwoordiger", "Statenlid")],
    "waterschap": [("bestuurder", "dijkgraaf"), ("volksvertegenwoordiger", "lid algemeen bestuur")],
    "rijk": [("bestuurder", "staatssecretaris")],
}


def _pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Batch:
    incidents: list[Incident] = field(default_factory=list)
    victims: list[Victim] = field(default_factory=list)
    perpetrators: list[Perpetrator] = field(default_factory=list)
    history: list[Transition] = field(default_factory=list)
    steps: list[AftercareStep] = field(default_factory=list)
    police: list[PoliceReport] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)

    def save(self) -> None:
        Incident.objects.bulk_create(self.incidents, batch_size=1000)
        Victim.objects.bulk_create(self.victims, batch_size=1000)
        Perpetrator.objects.bulk_create(self.perpetrators, batch_size=1000)
        Transition.objects.bulk_create(self.history, batch_size=1000)
        AftercareStep.objects.bulk_create(self.steps, batch_size=1000)
        PoliceReport.objects.bulk_create(self.police, batch_size=1000)
        Measure.objects.bulk_create(self.measures, batch_size=1000)


def _moment(rng: random.Random, now: datetime, days: int) -> datetime:
    """A moment in the last ``days`` days, with the seasonal weights and office hours."""
    while True:
        moment = now - timedelta(days=rng.random() * days)
        if rng.random() < SEASON[moment.month - 1] / 1.15:
            hour = rng.choices(range(24), weights=[1] * 7 + [6] * 11 + [3] * 6)[0]
            local = timezone.localtime(moment)
            return local.replace(hour=hour, minute=rng.randrange(60), second=0, microsecond=0)


def _synthesise(
    batch: Batch,
    rng: random.Random,
    organisation: Organisation,
    *,
    count: int,
    units: list[Unit],
    pa_share: float,
    now: datetime,
    reporters: list[Any] = (),  # type: ignore[assignment]
) -> None:
    tier = organisation.tier
    for _ in range(count):
        pa = rng.random() < pa_share
        occurred_at = _moment(rng, now, 730)
        reported_at = min(occurred_at + timedelta(hours=rng.choice([1, 3, 8, 24, 48, 96])), now)
        types = [t for t, p in (PA_TYPES if pa else EMPLOYEE_TYPES).items() if rng.random() < p]
        types = types or [codes.IncidentType.VERBAL]
        channel = _pick(rng, PA_CHANNELS if pa else EMPLOYEE_CHANNELS)
        place = {
            codes.Channel.SOCIAL_MEDIA: codes.PlaceKind.ONLINE,
            codes.Channel.MAIL: codes.PlaceKind.OFFICE,
            codes.Channel.AT_HOME: codes.PlaceKind.HOME,
        }.get(channel) or _pick(
            rng, {codes.PlaceKind.OFFICE: 60, codes.PlaceKind.FIELD: 35, codes.PlaceKind.OTHER: 5}
        )
        age = now - reported_at
        status = codes.Status.CLOSED
        if age < timedelta(days=7):
            status = rng.choice([codes.Status.REPORTED, codes.Status.HANDLING])
        elif age < timedelta(days=60):
            status = rng.choice(
                [
                    codes.Status.HANDLING,
                    codes.Status.MEASURES,
                    codes.Status.AFTERCARE,
                    codes.Status.CLOSED,
                ]
            )
        if pa:
            group, function = rng.choice(PA_FUNCTIONS[tier])
        else:
            group, function = codes.VictimGroup.EMPLOYEE, rng.choice(EMPLOYEE_FUNCTIONS)
        unit = rng.choice(units) if units and not pa else None
        incident = Incident(
            organisation=organisation,
            reference=new_reference(),
            status=status,
            reported_at=reported_at,
            reported_by=rng.choice(reporters) if reporters and rng.random() < 0.3 else None,
            occurred_at=occurred_at,
            place_kind=place,
            channel=channel,
            platform=_pick(rng, PLATFORMS) if channel == codes.Channel.SOCIAL_MEDIA else "",
            types=codes.to_mask(types, codes.TYPE_BITS),
            severity=_pick(rng, SEVERITIES),
            unit=unit,
            victim_groups=codes.GROUP_BITS[group],
            closed_at=reported_at + timedelta(days=rng.randint(20, 90))
            if status == codes.Status.CLOSED
            else None,
            source="demo",
        )
        if incident.closed_at and incident.closed_at > now:
            incident.closed_at = now
        if codes.IncidentType.PROPERTY in types:
            incident.damage_amount = Decimal(rng.choice([75, 150, 400, 1200, 2500]))
        batch.incidents.append(incident)
        victim = Victim(
            incident=incident,
            organisation=organisation,
            group=group,
            function=function,
            unit=unit,
            injury=codes.IncidentType.PHYSICAL in types and rng.random() < 0.4,
            sick_leave_days=rng.choice([None, None, None, 0, 1, 2, 5, 10]),
            emotional_impact=rng.choice(
                ["", codes.EmotionalImpact.SOME, codes.EmotionalImpact.SEVERE]
            ),
            influence_on_decisions=pa and rng.random() < 0.12,
            behaviour_change="vermijdt sociale media"
            if pa and channel == codes.Channel.SOCIAL_MEDIA and rng.random() < 0.3
            else "",
        )
        batch.victims.append(victim)
        if rng.random() < 0.7:
            category = _pick(rng, PERPETRATORS)
            batch.perpetrators.append(
                Perpetrator(
                    incident=incident,
                    organisation=organisation,
                    kind=codes.PerpetratorKind.UNKNOWN
                    if category == codes.PerpetratorCategory.UNKNOWN
                    else codes.PerpetratorKind.KNOWN,
                    category=category,
                )
            )
        batch.history.append(
            Transition(
                incident=incident,
                organisation=organisation,
                from_status="",
                to_status=codes.Status.REPORTED,
                at=reported_at,
            )
        )
        if status != codes.Status.REPORTED:
            batch.history.append(
                Transition(
                    incident=incident,
                    organisation=organisation,
                    from_status=codes.Status.REPORTED,
                    to_status=status,
                    at=min(reported_at + timedelta(days=1), now),
                )
            )
        serious = {codes.IncidentType.THREAT, codes.IncidentType.PHYSICAL} & set(types)
        if serious and rng.random() < 0.45:
            batch.police.append(
                PoliceReport(
                    incident=incident,
                    organisation=organisation,
                    kind=codes.PoliceReportKind.COMPLAINT,
                    date=timezone.localtime(reported_at).date(),
                    vpt=True,
                    outcome=rng.choice(list(codes.CaseOutcome.values))
                    if age > timedelta(days=120)
                    else codes.CaseOutcome.PENDING,
                )
            )
        if age < timedelta(days=90):
            first = aftercare.first_contact(reported_at)
            done = status != codes.Status.REPORTED and rng.random() < 0.85
            batch.steps.append(
                AftercareStep(
                    incident=incident,
                    organisation=organisation,
                    victim=victim,
                    kind=first.kind,
                    due_from=first.due_from,
                    due_at=first.due_at,
                    done_at=reported_at + timedelta(hours=rng.randint(4, 60)) if done else None,
                    outcome=codes.AftercareOutcome.ACCEPTED if done else "",
                )
            )


def _figures(organisations: dict[str, Organisation]) -> None:
    """Approximate inhabitants and synthetic staff numbers, through the registry import."""
    rows = []
    for code, (inhabitants, staff) in FIGURES.items():
        organisation = organisations.get(code)
        if organisation is None:
            continue
        rows.append(
            {
                "code": organisation.code,
                "name": organisation.name,
                "tier": organisation.tier,
                "province_code": organisation.province.code if organisation.province else "",
                "inhabitants": str(inhabitants or organisation.inhabitants or ""),
                "staff": str(staff),
                "reference_date": organisation.reference_date.isoformat(),
            }
        )
    registry_import(rows=rows, full=False)


def build(ctx: DemoContext) -> None:
    rng = random.Random(f"{ctx.seed}:incidents")
    tenants: dict[str, Organisation] = ctx.shared["tenants"]
    users = ctx.shared.get("users", {})
    organisations = {
        o.code: o for o in Organisation.objects.filter(code__in=FIGURES).select_related("province")
    }
    _figures(organisations)
    now = timezone.now()
    volume = VOLUME.get(ctx.scale, VOLUME["small"])
    batch = Batch()
    for key, organisation in tenants.items():
        units = list(Unit.objects.filter(organisation=organisation).order_by("name"))
        _synthesise(
            batch,
            rng,
            organisation,
            count=volume[key],
            units=units,
            pa_share=PA_SHARE[key],
            now=now,
        )
    low, high = OTHERS.get(ctx.scale, OTHERS["small"])
    for code in COMPARISON:
        other = organisations.get(code)
        if other is not None:
            _synthesise(
                batch,
                rng,
                other,
                count=rng.randint(low, high),
                units=[],
                pa_share=0.2,
                now=now,
            )
    if users:
        _showcase(batch, tenants["a"], users, now)
    batch.save()
    ctx.shared["incidents"] = [i for i in batch.incidents if i.organisation_id == tenants["a"].pk]


def _showcase(
    batch: Batch, organisation: Organisation, users: dict[str, Any], now: datetime
) -> None:
    """Hand-made incidents of tenant A that show the whole handling."""
    units = {u.name: u for u in Unit.objects.filter(organisation=organisation)}
    coordinator = users.get("coordinator-ag")

    def incident(
        *,
        person: Any,
        reported_by: Any,
        days_ago: float,
        types: list[str],
        channel: str,
        place: str,
        severity: str,
        group: str,
        function: str,
        status: str,
        description: str,
        unit: str | None = None,
        platform: str = "",
        location: str = "",
        victim_name: str = "",
    ) -> tuple[Incident, Victim]:
        reported_at = now - timedelta(days=days_ago)
        row = Incident(
            organisation=organisation,
            reference=new_reference(),
            status=status,
            reported_at=reported_at,
            reported_by=reported_by,
            person=person,
            on_behalf=reported_by != person,
            occurred_at=reported_at - timedelta(hours=2),
            place_kind=place,
            location=location,
            channel=channel,
            platform=platform,
            types=codes.to_mask(types, codes.TYPE_BITS),
            severity=severity,
            description=description,
            unit=units.get(unit or ""),
            victim_groups=codes.GROUP_BITS[group],
        )
        victim = Victim(
            incident=row,
            organisation=organisation,
            user=person,
            name=victim_name,
            group=group,
            function=function,
            unit=row.unit,
        )
        batch.incidents.append(row)
        batch.victims.append(victim)
        batch.history.append(
            Transition(
                incident=row,
                organisation=organisation,
                to_status=codes.Status.REPORTED,
                actor=reported_by,
                actor_label=str(reported_by or ""),
                at=reported_at,
            )
        )
        first = aftercare.first_contact(reported_at)
        batch.steps.append(
            AftercareStep(
                incident=row,
                organisation=organisation,
                victim=victim,
                kind=first.kind,
                due_from=first.due_from,
                due_at=first.due_at,
            )
        )
        return row, victim

    def move(row: Incident, frm: str, to: str, days_ago: float, note: str = "") -> None:
        batch.history.append(
            Transition(
                incident=row,
                organisation=organisation,
                from_status=frm,
                to_status=to,
                actor=coordinator,
                actor_label=str(coordinator or ""),
                at=now - timedelta(days=days_ago),
                note=note,
            )
        )

    def contact(step_index: int, days_ago: float, outcome: str, referral: str = "") -> None:
        step = batch.steps[step_index]
        step.done_at = now - timedelta(days=days_ago)
        step.done_by = coordinator
        step.outcome = outcome
        step.referral_to = referral
        for deadline in aftercare.after_step(kind=step.kind, outcome=outcome, done_at=step.done_at):
            batch.steps.append(
                AftercareStep(
                    incident=step.incident,
                    organisation=organisation,
                    victim=step.victim,
                    kind=deadline.kind,
                    due_from=deadline.due_from,
                    due_at=deadline.due_at,
                )
            )

    employee = users.get("medewerker")
    incident(
        person=employee,
        reported_by=employee,
        days_ago=0.5,
        types=[codes.IncidentType.VERBAL, codes.IncidentType.THREAT],
        channel=codes.Channel.FACE_TO_FACE,
        place=codes.PlaceKind.FIELD,
        severity=codes.Severity.SERIOUS,
        group=codes.VictimGroup.EMPLOYEE,
        function="handhaver",
        status=codes.Status.REPORTED,
        unit="Handhaving",
        location="Parkeerterrein Jaarbeursplein",
        description="Bij het uitschrijven van een boete werd ik uitgescholden en bedreigd.",
    )
    alderman = users.get("wethouder")
    incident(
        person=alderman,
        reported_by=alderman,
        days_ago=4,
        types=[codes.IncidentType.THREAT, codes.IncidentType.INTIMIDATION],
        channel=codes.Channel.SOCIAL_MEDIA,
        platform=codes.Platform.X,
        place=codes.PlaceKind.ONLINE,
        severity=codes.Severity.VERY,
        group=codes.VictimGroup.EXECUTIVE,
        function="wethouder",
        status=codes.Status.REPORTED,
        description="Na het raadsdebat over de opvanglocatie dreigende berichten en mijn "
        "huisadres gedeeld.",
    )
    mayor = users.get("burgemeester")
    row, _victim = incident(
        person=mayor,
        reported_by=coordinator,
        days_ago=12,
        types=[codes.IncidentType.THREAT],
        channel=codes.Channel.MAIL,
        place=codes.PlaceKind.OFFICE,
        severity=codes.Severity.VERY,
        group=codes.VictimGroup.EXECUTIVE,
        function="burgemeester",
        status=codes.Status.MEASURES,
        description="Dreigbrief op het stadhuis bezorgd.",
    )
    contact(len(batch.steps) - 1, 11, codes.AftercareOutcome.ACCEPTED)
    move(row, codes.Status.REPORTED, codes.Status.HANDLING, 11)
    batch.police.append(
        PoliceReport(
            incident=row,
            organisation=organisation,
            kind=codes.PoliceReportKind.COMPLAINT,
            date=timezone.localdate() - timedelta(days=11),
            police_reference="2025-0412-UTR",
            vpt=True,
            employer_address=True,
            filed_by_employer=True,
        )
    )
    perpetrator = Perpetrator(
        incident=row,
        organisation=organisation,
        kind=codes.PerpetratorKind.KNOWN,
        category=codes.PerpetratorCategory.CITIZEN,
        description="afzender bekend uit eerdere correspondentie",
    )
    batch.perpetrators.append(perpetrator)
    batch.measures.append(
        Measure(
            incident=row,
            organisation=organisation,
            perpetrator=perpetrator,
            kind=codes.MeasureKind.WARNING_LETTER,
            decided_on=timezone.localdate() - timedelta(days=9),
        )
    )
    move(row, codes.Status.HANDLING, codes.Status.MEASURES, 9)
    row, _victim = incident(
        person=None,
        reported_by=users.get("leidinggevende"),
        days_ago=20,
        types=[codes.IncidentType.PHYSICAL, codes.IncidentType.VERBAL],
        channel=codes.Channel.FACE_TO_FACE,
        place=codes.PlaceKind.OFFICE,
        severity=codes.Severity.VERY,
        group=codes.VictimGroup.EMPLOYEE,
        function="baliemedewerker",
        status=codes.Status.AFTERCARE,
        unit="Publiekszaken",
        location="Stadskantoor, balie 4",
        victim_name="Mirjam Proefmans",
        description="Klant sloeg met een vuist op de balie en duwde de medewerker.",
    )
    contact(len(batch.steps) - 1, 19, codes.AftercareOutcome.REFERRED, codes.Referral.SOCIAL_WORK)
    move(row, codes.Status.REPORTED, codes.Status.AFTERCARE, 18)
    batch.measures.append(
        Measure(
            incident=row,
            organisation=organisation,
            kind=codes.MeasureKind.HOUSE_BAN,
            decided_on=timezone.localdate() - timedelta(days=18),
            valid_until=timezone.localdate() + timedelta(days=165),
        )
    )
