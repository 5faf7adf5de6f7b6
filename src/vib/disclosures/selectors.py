"""Reads of the disclosures module: the public register, deadlines, and conflicts.

The public register is public by law, so it is read here (not through ``vib.access``). What
it shows follows ``publication.py``; ``on`` lets anyone see the register as it stood on a day,
so published history stays available.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from vib.accounts.models import User
from vib.disclosures import publication
from vib.disclosures.models import (
    GIFT_THRESHOLD,
    ActivityEvent,
    ActivityIncome,
    ActivityStatus,
    Confirmation,
    Decision,
    Declarant,
    DesignatedFunction,
    FinancialInterest,
    Gift,
    InterestStatus,
    Office,
    SideActivity,
)
from vib.organisations.models import Organisation

# Offices whose gifts above the threshold are published (political office holders).
GIFT_PUBLISHED_OFFICES = (
    Office.REPRESENTATIVE,
    Office.EXECUTIVE_FULL_TIME,
    Office.EXECUTIVE_PART_TIME,
)


# --- the public register ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicIncome:
    year: int
    amount: Decimal | None  # None: due but not (yet) published


@dataclass(frozen=True)
class PublicActivity:
    id: uuid.UUID
    role: str
    body: str
    kvk_number: str
    description: str
    by_virtue_of_office: bool
    paid: bool
    hours_per_month: Decimal | None
    start_date: date
    end_date: date | None
    intention: bool
    restrictions: str
    incomes: tuple[PublicIncome, ...]

    @property
    def upcoming(self) -> bool:
        return self.intention and self.start_date > timezone.localdate()


@dataclass(frozen=True)
class PublicGift:
    received_on: date
    description: str
    giver: str
    estimated_value: Decimal
    disposition: str


@dataclass
class PublicPerson:
    id: uuid.UUID
    name: str
    function: str
    office: str
    office_label: str
    appointed_on: date
    left_on: date | None
    income_published: bool
    qq: list[PublicActivity] = field(default_factory=list)
    other: list[PublicActivity] = field(default_factory=list)
    former: list[PublicActivity] = field(default_factory=list)
    gifts: list[PublicGift] = field(default_factory=list)


@dataclass
class PublicRegister:
    organisation: Organisation
    on: date
    people: list[PublicPerson]
    former_people: list[PublicPerson]


def published_organisations() -> QuerySet[Organisation]:
    """Organisations with at least one person in a published office."""
    return Organisation.objects.filter(
        active=True,
        id__in=Declarant.objects.filter(office__in=publication.PUBLISHED_OFFICES).values(
            "organisation_id"
        ),
    ).order_by("tier", "name")


def public_organisation(*, code: str) -> Organisation:
    from vib.core.errors import NotFound

    organisation = published_organisations().filter(code__iexact=code).first()
    if organisation is None:
        raise NotFound
    return organisation


def _published_activities(on: date) -> QuerySet[SideActivity]:
    return (
        SideActivity.objects.filter(
            status__in=(ActivityStatus.REGISTERED, ActivityStatus.ENDED),
            registered_on__lte=on,
        )
        .exclude(decision=Decision.REFUSED)
        .order_by("-by_virtue_of_office", "start_date", "body")
    )


def public_register(*, organisation: Organisation, on: date | None = None) -> PublicRegister:
    """The register of one organisation as published on ``on`` (default: today). 3 queries."""
    today = timezone.localdate()
    on = min(on or today, today)
    declarants = (
        Declarant.objects.filter(
            organisation=organisation,
            office__in=publication.PUBLISHED_OFFICES,
            appointed_on__lte=on,
        )
        .order_by("name", "appointed_on")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=_published_activities(on).prefetch_related(
                    Prefetch("incomes", queryset=ActivityIncome.objects.filter(declared_on__lte=on))
                ),
            ),
            Prefetch(
                "gifts",
                queryset=Gift.objects.filter(
                    estimated_value__gt=GIFT_THRESHOLD, registered_at__date__lte=on
                ),
            ),
        )
    )
    people: list[PublicPerson] = []
    former: list[PublicPerson] = []
    for declarant in declarants:
        rule = publication.rule_for(declarant.office)
        in_office = declarant.left_on is None or declarant.left_on >= on
        person = PublicPerson(
            id=declarant.id,
            name=declarant.name,
            function=declarant.function,
            office=declarant.office,
            office_label=str(Office(declarant.office).label),
            appointed_on=declarant.appointed_on,
            left_on=declarant.left_on if not in_office else None,
            income_published=rule.income != publication.IncomeRule.NONE,
        )
        for activity in declarant.activities.all():
            item = _public_activity(activity, declarant, on)
            current = (activity.end_date is None or activity.end_date >= on) and in_office
            if not current:
                person.former.append(item)
            elif activity.by_virtue_of_office:
                person.qq.append(item)
            else:
                person.other.append(item)
        if declarant.office in GIFT_PUBLISHED_OFFICES:
            person.gifts = [
                PublicGift(g.received_on, g.description, g.giver, g.estimated_value, g.disposition)
                for g in declarant.gifts.all()
            ]
        (people if in_office else former).append(person)
    return PublicRegister(organisation=organisation, on=on, people=people, former_people=former)


def _public_activity(activity: SideActivity, declarant: Declarant, on: date) -> PublicActivity:
    incomes: list[PublicIncome] = []
    if activity.paid:
        recorded = {i.year: i.amount for i in activity.incomes.all()}
        due = publication.income_years_due(
            office=declarant.office,
            start=activity.start_date,
            end=activity.end_date,
            in_office_from=declarant.appointed_on,
            today=on,
        )
        years = sorted(
            {
                y
                for y in recorded
                if publication.income_visible(office=declarant.office, year=y, today=on)
            }
            | set(due)
        )
        incomes = [PublicIncome(y, recorded.get(y)) for y in years]
    return PublicActivity(
        id=activity.id,
        role=activity.role,
        body=activity.body,
        kvk_number=activity.kvk_number,
        description=activity.description,
        by_virtue_of_office=activity.by_virtue_of_office,
        paid=activity.paid,
        hours_per_month=activity.hours_per_month,
        start_date=activity.start_date,
        end_date=activity.end_date,
        intention=activity.intention,
        restrictions=activity.restrictions if activity.decision == Decision.RESTRICTED else "",
        incomes=tuple(incomes),
    )


# --- deadlines: what the registrar must chase -------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    declarant_id: uuid.UUID
    name: str
    function: str
    kind: str  # "declaration" | "income"
    due_on: date
    activity: str = ""
    year: int | None = None


def overdue_declarations(*, organisation: Organisation, today: date | None = None) -> list[Overdue]:
    """Office holders past their deadlines: no declaration after appointment, missing income."""
    today = today or timezone.localdate()
    found: list[Overdue] = []
    immediate = [o for o, r in publication.RULES.items() if r.declare_immediately]
    declarants = (
        Declarant.objects.filter(organisation=organisation, left_on=None)
        .filter(Q(office__in=immediate) | Q(office__in=publication.INCOME_OFFICES))
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=SideActivity.objects.exclude(
                    status=ActivityStatus.WITHDRAWN
                ).prefetch_related("incomes"),
            )
        )
        .order_by("name")
    )
    for declarant in declarants:
        activities = list(declarant.activities.all())
        rule = publication.rule_for(declarant.office)
        deadline = publication.declaration_deadline(declarant.appointed_on)
        if (
            rule.declare_immediately
            and not activities
            and declarant.no_side_activities_declared_on is None
            and deadline < today
        ):
            found.append(
                Overdue(declarant.id, declarant.name, declarant.function, "declaration", deadline)
            )
        for activity in activities:
            if not activity.paid or activity.status == ActivityStatus.DECLARED:
                continue
            recorded = {i.year for i in activity.incomes.all()}
            for year in publication.income_years_due(
                office=declarant.office,
                start=activity.start_date,
                end=activity.end_date,
                in_office_from=declarant.appointed_on,
                today=today,
            ):
                if year in recorded:
                    continue
                due = (
                    publication.income_deadline(year)
                    if rule.income == publication.IncomeRule.YEARLY
                    else publication.declaration_deadline(
                        max(activity.start_date, declarant.appointed_on)
                    )
                )
                found.append(
                    Overdue(
                        declarant.id,
                        declarant.name,
                        declarant.function,
                        "income",
                        due,
                        activity=f"{activity.role}, {activity.body}",
                        year=year,
                    )
                )
    return found


# --- conflicts: the selector the integrity module calls ---------------------------------------


def _norm(names: Iterable[str]) -> set[str]:
    return {" ".join(n.split()).lower() for n in names if n and n.strip()}


def conflicted_people(
    *,
    organisation: Organisation,
    bodies: Iterable[str] = (),
    kvk_numbers: Iterable[str] = (),
    candidates: Iterable[uuid.UUID] | None = None,
    on: date | None = None,
) -> frozenset[uuid.UUID]:
    """Ids of users of ``organisation`` with a tie to any of the given bodies.

    A tie is a side activity (declared or registered, not withdrawn or refused, running on
    ``on``) or a financial interest (any status) whose body/counterparty name matches one of
    ``bodies`` (case- and whitespace-insensitive) or whose KvK number is in ``kvk_numbers``.
    Only ids are returned, never the reason: financial interests stay confidential.
    ``candidates`` limits the answer to those users (e.g. a proposed case team).
    """
    names = _norm(bodies)
    kvks = {k.strip() for k in kvk_numbers if k and k.strip()}
    if not names and not kvks:
        return frozenset()
    on = on or timezone.localdate()
    match_activity = Q(kvk_number__in=kvks) if kvks else Q(pk__in=[])
    match_interest = Q(kvk_number__in=kvks) if kvks else Q(pk__in=[])
    if names:
        match_activity |= Q(body_norm__in=names)
        match_interest |= Q(counterparty_norm__in=names)
    activities = (
        SideActivity.objects.filter(organisation=organisation, declarant__user__isnull=False)
        .exclude(status=ActivityStatus.WITHDRAWN)
        .exclude(decision=Decision.REFUSED)
        .filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .annotate(body_norm=Lower("body"))
        .filter(match_activity)
        .values_list("declarant__user_id", flat=True)
    )
    interests = (
        FinancialInterest.objects.filter(organisation=organisation, declarant__user__isnull=False)
        .annotate(counterparty_norm=Lower("counterparty"))
        .filter(match_interest)
        .values_list("declarant__user_id", flat=True)
    )
    found = set(activities) | set(interests)
    if candidates is not None:
        found &= set(candidates)
    return frozenset(found)


# --- overlaps with the vulnerable processes ---------------------------------------------------


@dataclass(frozen=True)
class ProcessOverlap:
    declarant_id: uuid.UUID
    name: str
    function: str
    processes: tuple[str, ...]
    activities: tuple[str, ...]
    financial_interests: int | None  # None when the reader may not know


def process_overlaps(
    *, organisation: Organisation, include_interests: bool = False
) -> list[ProcessOverlap]:
    """People in a vulnerable function (per ``vib.governance``) who hold side activities."""
    from vib.governance.selectors import vulnerable_functions

    functions = vulnerable_functions(organisation=organisation)
    if not functions:
        return []
    today = timezone.localdate()
    declarants = (
        Declarant.objects.filter(organisation=organisation, left_on=None)
        .select_related("designated_function")
        .prefetch_related(
            Prefetch(
                "activities",
                queryset=SideActivity.objects.filter(
                    status__in=(ActivityStatus.DECLARED, ActivityStatus.REGISTERED)
                )
                .exclude(decision=Decision.REFUSED)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=today)),
            )
        )
        .order_by("name")
    )
    interest_counts: dict[uuid.UUID, int] = {}
    if include_interests:
        for declarant_id in (
            FinancialInterest.objects.filter(organisation=organisation)
            .exclude(status=InterestStatus.NO_CONFLICT)
            .values_list("declarant_id", flat=True)
        ):
            interest_counts[declarant_id] = interest_counts.get(declarant_id, 0) + 1
    found = []
    for declarant in declarants:
        keys = {declarant.function.casefold()}
        if declarant.designated_function:
            keys.add(declarant.designated_function.name.casefold())
        processes = sorted({p for key in keys for p in functions.get(key, ())})
        activities = tuple(f"{a.role}, {a.body}" for a in declarant.activities.all())
        interests = interest_counts.get(declarant.id, 0) if include_interests else None
        if processes and (activities or interests):
            found.append(
                ProcessOverlap(
                    declarant.id,
                    declarant.name,
                    declarant.function,
                    tuple(processes),
                    activities,
                    interests,
                )
            )
    return found


# --- small reads for the registrar's forms ----------------------------------------------------


def designated_functions_of(*, organisation: Organisation) -> QuerySet[DesignatedFunction]:
    return DesignatedFunction.objects.filter(organisation=organisation).order_by("name")


def member_by_email(*, organisation: Organisation, email: str) -> User | None:
    """A user who currently holds a role in ``organisation`` (to link a register entry)."""
    return (
        User.objects.filter(
            email__iexact=email.strip(), role_assignments__organisation=organisation
        )
        .distinct()
        .first()
    )


def open_confirmation(*, declarant: Declarant) -> Confirmation | None:
    return (
        Confirmation.objects.filter(declarant=declarant, confirmed_at=None)
        .select_related("round")
        .order_by("-round__year")
        .first()
    )


def activity_history(*, activity: SideActivity) -> QuerySet[ActivityEvent]:
    return activity.events.select_related("actor").order_by("at", "id")
