"""Reads of incident registration: list filters, the handling record, the dashboard, the
benchmark across organisations, and the aftercare work list.

Querysets of confidential rows come in from ``vib.access.incidents`` (already limited to
what the user may see); this module only narrows, orders and counts them. Aggregates are
computed in SQL with a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vib.core import disclosure
from vib.incidents import codes, evidence
from vib.incidents.models import (
    AftercareStep,
    EvidenceFile,
    Incident,
    Measure,
    Perpetrator,
    PoliceReport,
    Transition,
    Victim,
    Witness,
)
from vib.integrity.fields import SealedValue
from vib.organisations.models import Organisation, SizeClass, Tier

ROWS = "occurred_at"  # what the aggregates count: a column of the covering index, never null
MIN_COMPARABLES = 3  # a comparison group needs at least this many other organisations


# --- filters and the list ----------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentFilters:
    status: str = ""
    types: tuple[str, ...] = ()
    channel: str = ""
    severity: str = ""
    group: str = ""
    unit: Any = None
    since: date | None = None
    until: date | None = None
    aftercare: str = ""  # "open" or "overdue"
    q: str = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _open_steps() -> QuerySet[AftercareStep]:
    return AftercareStep.objects.filter(
        incident=OuterRef("pk"), done_at__isnull=True, cancelled_at__isnull=True
    )


def has_bits(column: str, mask: int) -> GreaterThan:
    """SQL ``column & mask > 0``: the row has at least one of the values in ``mask``."""
    return GreaterThan(F(column).bitand(mask), 0)


def _field_filters(filters: IncidentFilters) -> Q:
    """The filters on the incident's own columns, as one condition."""
    where = Q()
    if filters.status:
        where &= Q(status=filters.status)
    if filters.types:
        where &= Q(has_bits("types", codes.to_mask(filters.types, codes.TYPE_BITS)))
    if filters.channel:
        where &= Q(channel=filters.channel)
    if filters.severity:
        where &= Q(severity=filters.severity)
    if filters.group:
        where &= Q(has_bits("victim_groups", codes.GROUP_BITS[filters.group]))
    if filters.unit is not None:
        where &= Q(unit=filters.unit)
    if filters.since:
        where &= Q(occurred_at__gte=_day_start(filters.since))
    if filters.until:
        where &= Q(occurred_at__lt=_day_start(filters.until + timedelta(days=1)))
    return where


def _with_open_aftercare(aftercare: str, now: datetime, organisation: Any | None) -> QuerySet[Any]:
    """Incident ids with an open (or, for "overdue", a late) aftercare step."""
    steps = AftercareStep.objects.filter(done_at__isnull=True, cancelled_at__isnull=True)
    if organisation is not None:
        steps = steps.filter(organisation=organisation)
    if aftercare == "overdue":
        steps = steps.filter(due_at__lt=now)
    return steps.values("incident_id")


def filter_incidents(
    qs: QuerySet[Incident],
    filters: IncidentFilters,
    *,
    now: datetime | None = None,
    organisation: Any | None = None,
) -> QuerySet[Incident]:
    """Narrow ``qs`` (already limited by the access layer) to ``filters``.

    With ``organisation`` the aftercare filters start from that organisation's open steps
    (the partial index ``aftercare_open_due``) instead of testing every incident.
    """
    qs = qs.filter(_field_filters(filters))
    if filters.aftercare:
        qs = qs.filter(
            pk__in=_with_open_aftercare(filters.aftercare, now or timezone.now(), organisation)
        )
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(
            Q(reference__iexact=term) | Q(external_id=term) | Q(pk__in=_text_matches(qs, term))
        )
    return qs


def _text_matches(qs: QuerySet[Incident], term: str) -> list[Any]:
    """Incidents of ``qs`` whose description or location contains ``term`` (any case).

    Both are sealed with the organisation's data key (issue #15 item 5), so the database
    cannot compare them: the rows the other filters leave are opened here, one key query per
    organisation and key version (ADR 0098)."""
    needle = term.casefold()
    found = []
    rows = qs.order_by().values_list("pk", "organisation_id", "description", "location")
    for pk, organisation_id, description, location in rows.iterator(chunk_size=2000):
        for value in (description, location):
            text = value.open(organisation_id, pk) if isinstance(value, SealedValue) else value
            if text and needle in text.casefold():
                found.append(pk)
                break
    return found


def incident_list(
    qs: QuerySet[Incident],
    filters: IncidentFilters,
    *,
    now: datetime | None = None,
    organisation: Any | None = None,
) -> QuerySet[Incident]:
    """The list of the handlers, newest first (add ``aftercare_state`` to the page's rows)."""
    return (
        filter_incidents(qs, filters, now=now, organisation=organisation)
        .select_related("unit")
        .order_by("-occurred_at", "-id")
    )


def aftercare_state(rows: Iterable[Incident], *, now: datetime | None = None) -> None:
    """Set ``aftercare_open`` and ``aftercare_overdue`` on the rows of one page, in one query.

    Done after paginating: as an ``EXISTS`` in the list query PostgreSQL hashes every open step
    of the installation before it applies the page's ``LIMIT``.
    """
    now = now or timezone.now()
    rows = list(rows)
    state: dict[Any, bool] = {}
    for incident_id, due_at in AftercareStep.objects.filter(
        incident_id__in=[row.pk for row in rows], done_at__isnull=True, cancelled_at__isnull=True
    ).values_list("incident_id", "due_at"):
        state[incident_id] = state.get(incident_id, False) or due_at < now
    for row in rows:
        row.aftercare_open = row.pk in state  # type: ignore[attr-defined]
        row.aftercare_overdue = state.get(row.pk, False)  # type: ignore[attr-defined]


def own_incident_list(qs: QuerySet[Incident]) -> QuerySet[Incident]:
    """A reporter's own reports, newest first (only the reporter's fields are shown)."""
    return qs.only("id", "reference", "status", "occurred_at", "reported_at", "types").order_by(
        "-reported_at"
    )


# --- one incident ------------------------------------------------------------------------------


@dataclass
class HandlingRecord:
    victims: list[Victim]
    witnesses: list[Witness]
    perpetrators: list[Perpetrator]
    measures: list[Measure]
    police_reports: list[PoliceReport]
    aftercare: list[AftercareStep]
    evidence: list[EvidenceFile]
    history: list[Transition]

    @property
    def open_aftercare(self) -> list[AftercareStep]:
        return [step for step in self.aftercare if step.is_open]


def handling_record(incident: Incident) -> HandlingRecord:
    """Everything attached to an incident, for a handler (one query per kind of row)."""
    return HandlingRecord(
        victims=list(Victim.objects.filter(incident=incident).select_related("unit", "user")),
        witnesses=list(Witness.objects.filter(incident=incident)),
        perpetrators=list(Perpetrator.objects.filter(incident=incident).select_related("known")),
        measures=list(Measure.objects.filter(incident=incident).select_related("perpetrator")),
        police_reports=list(PoliceReport.objects.filter(incident=incident)),
        aftercare=list(
            AftercareStep.objects.filter(incident=incident).select_related("victim", "done_by")
        ),
        evidence=list(EvidenceFile.objects.filter(incident=incident)),
        history=list(Transition.objects.filter(incident=incident)),
    )


def status_history(incident: Incident) -> list[Transition]:
    """The status changes of an incident, oldest first (the reporter sees status and date)."""
    return list(Transition.objects.filter(incident=incident).only("to_status", "at", "from_status"))


# --- aftercare work ----------------------------------------------------------------------------


@dataclass
class Worklist:
    overdue: list[AftercareStep]
    due: list[AftercareStep]
    upcoming: list[AftercareStep]
    overdue_count: int
    due_count: int
    upcoming_count: int
    new_reports: list[Incident] = field(default_factory=list)
    new_count: int = 0


WORKLIST_ROWS = 25


def aftercare_worklist(
    steps: QuerySet[AftercareStep],
    incidents: QuerySet[Incident],
    *,
    now: datetime | None = None,
    upcoming_days: int = 7,
) -> Worklist:
    """What a handler must do: overdue and due aftercare, what comes up, new reports."""
    now = now or timezone.now()
    horizon = now + timedelta(days=upcoming_days)
    open_steps = steps.filter(done_at__isnull=True, cancelled_at__isnull=True)
    counts = open_steps.aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        due=Count("pk", filter=Q(due_at__gte=now, due_from__lte=now)),
        upcoming=Count("pk", filter=Q(due_from__gt=now, due_from__lte=horizon)),
    )
    rows = open_steps.select_related("incident", "victim").order_by("due_at")
    new = incidents.filter(status=codes.Status.REPORTED)
    return Worklist(
        overdue=list(rows.filter(due_at__lt=now)[:WORKLIST_ROWS]),
        due=list(rows.filter(due_at__gte=now, due_from__lte=now)[:WORKLIST_ROWS]),
        upcoming=list(rows.filter(due_from__gt=now, due_from__lte=horizon)[:WORKLIST_ROWS]),
        overdue_count=counts["overdue"],
        due_count=counts["due"],
        upcoming_count=counts["upcoming"],
        new_reports=list(new.select_related("unit").order_by("reported_at")[:WORKLIST_ROWS]),
        new_count=new.count(),
    )


def aftercare_due_by_organisation(*, now: datetime) -> dict[Organisation, list[AftercareStep]]:
    """Open aftercare steps that are due or overdue, per organisation (the daily reminder)."""
    steps = (
        AftercareStep.objects.filter(
            done_at__isnull=True, cancelled_at__isnull=True, due_from__lte=now
        )
        .select_related("incident", "organisation")
        .order_by("organisation__name", "due_at")
    )
    grouped: dict[Organisation, list[AftercareStep]] = defaultdict(list)
    for step in steps:
        grouped[step.organisation].append(step)
    return dict(grouped)


# --- the dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed
    share: float | None = None  # percentage of the total


def _share(count: int | None, total: int | None) -> float | None:
    if count is None or not total:
        return None
    return round(100 * count / total, 1)


def _distribution_aggregates() -> dict[str, Any]:
    """Conditional counts for every code of every dimension (used per organisation)."""
    # Counting a column of the covering index (occurred_at is never null), not the id: then
    # PostgreSQL answers from the index alone (an index-only scan).
    aggregates: dict[str, Any] = {"total": Count(ROWS)}
    for value, bit in codes.TYPE_BITS.items():
        aggregates[f"type:{value}"] = Count(ROWS, filter=has_bits("types", bit))
    for value, bit in codes.GROUP_BITS.items():
        aggregates[f"group:{value}"] = Count(ROWS, filter=has_bits("victim_groups", bit))
    for name, choices in (
        ("channel", codes.Channel),
        ("severity", codes.Severity),
        ("place_kind", codes.PlaceKind),
    ):
        for value in choices.values:
            aggregates[f"{name}:{value}"] = Count(ROWS, filter=Q(**{name: value}))
    return aggregates


FOLDED = ("channel", "severity", "place_kind", "types", "victim_groups")


def fold_counts(qs: QuerySet[Incident]) -> dict[str, int]:
    """Every distribution of ``DIMENSIONS`` for the rows of ``qs``, in one query.

    PostgreSQL counts the rows per combination of the five columns (an index-only scan and one
    hash aggregate; a few thousand combinations at most, whatever the number of rows) and the
    combinations are folded into the counts here. Faster than one ``FILTER`` aggregate per code
    once the period holds more than a few thousand incidents.
    """
    counts: dict[str, int] = defaultdict(int)
    rows = qs.values(*FOLDED).annotate(n=Count(ROWS)).values_list(*FOLDED, "n").order_by()
    for channel, severity, place_kind, types, groups, n in rows:
        counts["total"] += n
        counts[f"channel:{channel}"] += n
        counts[f"severity:{severity}"] += n
        counts[f"place_kind:{place_kind}"] += n
        for value, bit in codes.TYPE_BITS.items():
            if types & bit:
                counts[f"type:{value}"] += n
        for value, bit in codes.GROUP_BITS.items():
            if groups & bit:
                counts[f"group:{value}"] += n
    return counts


DIMENSIONS: tuple[tuple[str, type[Any], bool], ...] = (
    # (key, code list, single-valued: the cells add up to the total)
    ("type", codes.IncidentType, False),
    ("channel", codes.Channel, True),
    ("group", codes.VictimGroup, False),
    ("severity", codes.Severity, True),
    ("place_kind", codes.PlaceKind, True),
)


@dataclass
class Dashboard:
    since: date
    until: date
    total: int
    dimensions: dict[str, list[Cell]]
    months: list[Cell]
    units: list[Cell]
    staff: int | None
    rate: float | None  # incidents per 100 staff in the period
    aftercare_open: int
    aftercare_overdue: int


def period_default(today: date | None = None) -> tuple[date, date]:
    """The last twelve months up to today (the monitor's reference period)."""
    today = today or timezone.localdate()
    start = date(today.year - 1, today.month, 1) + timedelta(days=32)
    return date(start.year, start.month, 1), today


def _months(since: date, until: date) -> list[date]:
    months, cursor = [], date(since.year, since.month, 1)
    while cursor <= until:
        months.append(cursor)
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return months


def dashboard(
    organisation: Organisation, *, since: date, until: date, now: datetime | None = None
) -> Dashboard:
    """The organisation's figures for a period: four queries, whatever the number of rows."""
    now = now or timezone.now()
    base = Incident.objects.filter(
        organisation=organisation,
        occurred_at__gte=_day_start(since),
        occurred_at__lt=_day_start(until + timedelta(days=1)),
    )
    counts = fold_counts(base)
    total = counts["total"]
    dimensions = {
        key: [
            Cell(str(label), counts[f"{key}:{value}"], _share(counts[f"{key}:{value}"], total))
            for value, label in choices.choices
        ]
        for key, choices, _single in DIMENSIONS
    }
    per_month = dict(
        base.values("occurred_month")
        .annotate(n=Count(ROWS))
        .values_list("occurred_month", "n")
        .order_by()
    )
    months = [
        Cell(month.strftime("%Y-%m"), per_month.get(month, 0)) for month in _months(since, until)
    ]
    units = [
        Cell(row["unit__name"] or str(_("(no unit)")), row["n"], _share(row["n"], total))
        for row in base.values("unit__name").annotate(n=Count(ROWS)).order_by("-n", "unit__name")
    ]
    steps = AftercareStep.objects.filter(
        organisation=organisation, done_at__isnull=True, cancelled_at__isnull=True
    ).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    staff = organisation.staff or None
    return Dashboard(
        since=since,
        until=until,
        total=total,
        dimensions=dimensions,
        months=months,
        units=units,
        staff=staff,
        rate=round(100 * total / staff, 2) if staff else None,
        aftercare_open=steps["open"],
        aftercare_overdue=steps["overdue"],
    )


def incident_count(organisation: Organisation, *, since: date, until: date) -> int:
    """How many incidents the organisation registered from ``since`` to ``until`` (one query):
    the dashboard's comparison with the period before."""
    return Incident.objects.filter(
        organisation=organisation,
        occurred_at__gte=_day_start(since),
        occurred_at__lt=_day_start(until + timedelta(days=1)),
    ).count()


def previous_period(since: date, until: date) -> tuple[date, date]:
    """The period of the same length that ends the day before ``since``."""
    length = until - since
    end = since - timedelta(days=1)
    return end - length, end


# --- across organisations: the benchmark and the sector view -----------------------------------

SIZE_RANGES: dict[str, tuple[int | None, int | None]] = {
    SizeClass.XS: (None, 20_000),
    SizeClass.S: (20_000, 50_000),
    SizeClass.M: (50_000, 100_000),
    SizeClass.L: (100_000, None),
}


def comparable_organisations(organisation: Organisation) -> QuerySet[Organisation]:
    """Active organisations of the same tier and size class, the organisation itself excluded."""
    qs = Organisation.objects.filter(tier=organisation.tier, active=True).exclude(
        pk=organisation.pk
    )
    size = organisation.size_class
    if size == SizeClass.NA:
        if organisation.tier == Tier.GEMEENTE:
            qs = qs.filter(inhabitants__isnull=True)
        return qs
    low, high = SIZE_RANGES[size]
    if low is not None:
        qs = qs.filter(inhabitants__gte=low)
    if high is not None:
        qs = qs.filter(inhabitants__lt=high)
    return qs


def suppress(counts: Sequence[int], *, single_valued: bool) -> list[int | None]:
    """The counts of one breakdown as they may be shown across organisations: hidden ones are
    ``None`` (``vib.core.disclosure``). A single-valued breakdown adds up to the total shown
    beside it, so secondary suppression applies to it."""
    hidden = disclosure.protect_line(counts, adds_up=single_valued)
    return [disclosure.shown(c, h) for c, h in zip(counts, hidden, strict=True)]


@dataclass
class Comparison:
    label: str
    own: int
    own_share: float | None
    group: int | None
    group_share: float | None


@dataclass
class Benchmark:
    since: date
    until: date
    organisation: Organisation
    comparables: int  # organisations in the comparison group (without this one)
    enough: bool
    own_total: int
    group_total: int | None
    own_rate: float | None
    group_rate: float | None
    dimensions: dict[str, list[Comparison]]


def _period(qs: QuerySet[Incident], since: date, until: date) -> QuerySet[Incident]:
    return qs.filter(
        occurred_at__gte=_day_start(since), occurred_at__lt=_day_start(until + timedelta(days=1))
    )


def benchmark(organisation: Organisation, *, since: date, until: date) -> Benchmark:
    """The organisation beside comparable organisations: aggregates only, small cells hidden."""
    comparables = comparable_organisations(organisation)
    group_ids = list(comparables.values_list("pk", flat=True))
    group_staff = comparables.filter(staff__gt=0).aggregate(staff=Sum("staff"))["staff"]
    incidents = _period(Incident.objects.all(), since, until)
    own = fold_counts(incidents.filter(organisation=organisation))
    group = fold_counts(incidents.filter(organisation_id__in=group_ids))
    staffed = incidents.filter(organisation_id__in=group_ids, organisation__staff__gt=0).count()
    enough = len(group_ids) >= MIN_COMPARABLES
    group_total: int | None = (
        group["total"] if enough and not disclosure.hides_count(group["total"]) else None
    )
    dimensions: dict[str, list[Comparison]] = {}
    for key, choices, single in DIMENSIONS:
        values = choices.values
        raw = [group[f"{key}:{value}"] for value in values]
        shown = (
            suppress(raw, single_valued=single) if group_total is not None else [None] * len(raw)
        )
        dimensions[key] = [
            Comparison(
                label=str(label),
                own=own[f"{key}:{value}"],
                own_share=_share(own[f"{key}:{value}"], own["total"]),
                group=shown[i],
                group_share=_share(shown[i], group_total),
            )
            for i, (value, label) in enumerate(choices.choices)
        ]
    staff = organisation.staff or None
    group_rate = None
    if group_total is not None and group_staff and staffed >= disclosure.THRESHOLD:
        group_rate = round(100 * staffed / group_staff, 2)
    return Benchmark(
        since=since,
        until=until,
        organisation=organisation,
        comparables=len(group_ids),
        enough=enough,
        own_total=own["total"],
        group_total=group_total,
        own_rate=round(100 * own["total"] / staff, 2) if staff else None,
        group_rate=group_rate,
        dimensions=dimensions,
    )


@dataclass
class SectorGroup:
    tier: str
    tier_label: str
    size: str
    size_label: str
    organisations: int
    reporting: int  # organisations with at least one incident in the period
    total: int | None
    dimensions: dict[str, list[Cell]]


def sector_overview(*, since: date, until: date) -> list[SectorGroup]:
    """Aggregates per tier and size class for the sector analyst: no organisation, no record.

    Two queries: the counts per organisation (in SQL) and the registry; the organisations are
    folded into their groups here, so no figure of a single organisation leaves this function.
    """
    per_org: dict[Any, dict[str, Any]] = {
        row["organisation_id"]: dict(row)
        for row in _period(Incident.objects.all(), since, until)
        .values("organisation_id")
        .annotate(**_distribution_aggregates())
        .order_by()
    }
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for organisation in Organisation.objects.filter(active=True).only("pk", "tier", "inhabitants"):
        key = (organisation.tier, organisation.size_class)
        group = groups.setdefault(
            key, {"organisations": 0, "reporting": 0, "counts": defaultdict(int)}
        )
        group["organisations"] += 1
        row = per_org.get(organisation.pk)
        if row:
            group["reporting"] += 1
            for name, value in row.items():
                if name != "organisation_id":
                    group["counts"][name] += value
    result = []
    for (tier, size), group in sorted(
        groups.items(), key=lambda item: (Tier.values.index(item[0][0]), item[0][1])
    ):
        counts = group["counts"]
        total = counts["total"]
        shown_total = None if disclosure.hides_count(total) else total
        dimensions: dict[str, list[Cell]] = {}
        for dimension, choices, single in DIMENSIONS:
            raw = [counts[f"{dimension}:{value}"] for value in choices.values]
            shown = (
                suppress(raw, single_valued=single)
                if shown_total is not None
                else [None] * len(raw)
            )
            dimensions[dimension] = [
                Cell(str(label), shown[i], _share(shown[i], shown_total))
                for i, (_value, label) in enumerate(choices.choices)
            ]
        result.append(
            SectorGroup(
                tier=tier,
                tier_label=str(Tier(tier).label),
                size=size,
                size_label=str(SizeClass(size).label),
                organisations=group["organisations"],
                reporting=group["reporting"],
                total=shown_total,
                dimensions=dimensions,
            )
        )
    return result


# --- export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "referentie",
    "organisatie",
    "eenheid",
    "status",
    "gemeld_op",
    "datum_tijd",
    "plaats",
    "locatie",
    "kanaal",
    "platform",
    "soorten",
    "ernst",
    "slachtoffergroepen",
    "omschrijving",
    "schade_euro",
    "verhaald_euro",
    "politie",
    "vpt",
    "nazorg_open",
    "bron",
    "extern_id",
)


def _open(value: Any, organisation_id: Any, pk: Any) -> str:
    return value.open(organisation_id, pk) if isinstance(value, SealedValue) else (value or "")


def export_rows(qs: QuerySet[Incident], *, chunk_size: int = 2000) -> Iterator[tuple[Any, ...]]:
    """The export, row by row, from a server-side cursor: memory does not grow with rows."""
    police = PoliceReport.objects.filter(incident=OuterRef("pk"))
    rows = (
        qs.annotate(
            complaint=Exists(police.filter(kind=codes.PoliceReportKind.COMPLAINT)),
            notification=Exists(police.filter(kind=codes.PoliceReportKind.NOTIFICATION)),
            vpt_flag=Exists(police.filter(vpt=True)),
            aftercare_open=Exists(_open_steps()),
        )
        .order_by("occurred_at", "id")
        .values_list(
            "pk",
            "organisation_id",
            "reference",
            "organisation__code",
            "unit__name",
            "status",
            "reported_at",
            "occurred_at",
            "place_kind",
            "location",
            "channel",
            "platform",
            "types",
            "severity",
            "victim_groups",
            "description",
            "damage_amount",
            "recovery_received",
            "complaint",
            "notification",
            "vpt_flag",
            "aftercare_open",
            "source",
            "external_id",
        )
    )
    for row in rows.iterator(chunk_size=chunk_size):
        (
            pk,
            organisation_id,
            reference,
            organisation,
            unit,
            status,
            reported_at,
            occurred_at,
            place_kind,
            location,
            channel,
            platform,
            types,
            severity,
            groups,
            description,
            damage,
            recovered,
            complaint,
            notification,
            vpt,
            open_aftercare,
            source,
            external_id,
        ) = row
        yield (
            reference,
            organisation,
            unit or "",
            status,
            timezone.localtime(reported_at),
            timezone.localtime(occurred_at),
            place_kind,
            _open(location, organisation_id, pk),
            channel,
            platform,
            ";".join(codes.from_mask(types, codes.TYPE_BITS)),
            severity,
            ";".join(codes.from_mask(groups, codes.GROUP_BITS)),
            _open(description, organisation_id, pk),
            damage if damage is None else Decimal(damage),
            recovered if recovered is None else Decimal(recovered),
            "aangifte" if complaint else ("melding" if notification else ""),
            ("ja" if vpt else "nee") if (complaint or notification) else "",
            "ja" if open_aftercare else "nee",
            source,
            external_id,
        )


# --- the repeat-perpetrator register ------------------------------------------------------------


def register_rows(known: QuerySet[Any]) -> list[Any]:
    """The register (already limited to coordinators), with the number of linked incidents."""
    return list(
        known.annotate(incidents=Count("perpetrators__incident", distinct=True)).order_by("label")
    )


# --- the data-subject export ---------------------------------------------------------------------


def subject_incidents(user: Any) -> dict[str, list[Incident]]:
    """The incidents a person reported about themselves, that are about them, or that they
    reported for someone else (anonymised incidents no longer point to anyone)."""
    own, about, for_others = [], [], []
    victim_of = Victim.objects.filter(user=user).values("incident_id")
    rows = Incident.objects.filter(
        Q(reported_by=user) | Q(person=user) | Q(pk__in=victim_of)
    ).order_by("reported_at")
    for incident in rows:
        if (
            incident.reported_by_id == user.pk
            and incident.person_id in (user.pk, None)
            and not (incident.on_behalf)
        ):
            own.append(incident)
        elif incident.reported_by_id == user.pk and incident.person_id != user.pk:
            for_others.append(incident)
        else:
            about.append(incident)
    return {"own": own, "about": about, "for_others": for_others}


def evidence_content(row: EvidenceFile) -> bytes:
    """The uploaded bytes of an evidence file already fetched through ``vib.access``: the file
    on disk is sealed with the organisation's data key (issue #15 item 5)."""
    with row.file.open("rb") as handle:
        stored = handle.read()
    return evidence.open_content(row.organisation_id, row.pk, stored)


def own_files(incident: Incident, user: Any) -> list[EvidenceFile]:
    return list(EvidenceFile.objects.filter(incident=incident, uploaded_by=user))
