"""Reads of non-confidential support data: teams, the library, and the statistics.

Confidential objects (requests and everything attached) come from ``vib.access.support``.
"""

from __future__ import annotations

import statistics as pystats
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vib.core import disclosure
from vib.organisations.models import Organisation, Tier
from vib.support import codes
from vib.support.models import AllowanceYear, Instrument, RequestFact, SupportTeam

# The order of the team's queues: acute, urgent, normal (a code order, not alphabetical).
URGENCY_RANK = Case(
    When(urgency=codes.Urgency.ACUTE, then=Value(0)),
    When(urgency=codes.Urgency.URGENT, then=Value(1)),
    default=Value(2),
)


def province_of(organisation: Organisation) -> Organisation | None:
    if organisation.tier == Tier.PROVINCIE:
        return organisation
    return organisation.province


def team_for(organisation: Organisation | None) -> SupportTeam | None:
    """The team that serves an organisation: its province's regional team, else the national one."""
    teams = SupportTeam.objects.filter(active=True)
    province = province_of(organisation) if organisation is not None else None
    if province is not None:
        regional = teams.filter(scope=codes.Scope.REGIONAL, region=province).first()
        if regional is not None:
            return regional
    return teams.filter(scope=codes.Scope.NATIONAL).order_by("name").first()


def allowance_total(*, office_holder: Any, year: int) -> tuple[Decimal, Decimal]:
    """(approved this year, cap) for one office holder."""
    row = AllowanceYear.objects.filter(office_holder=office_holder, year=year).first()
    if row is None:
        return Decimal("0.00"), codes.ALLOWANCE_CAP
    return row.approved_total, row.cap


def allowance_paid(*, office_holder: Any, year: int) -> Decimal:
    total = AllowanceYear.objects.filter(office_holder=office_holder, year=year).aggregate(
        paid=Sum("measures__amount_paid")
    )["paid"]
    return total or Decimal("0.00")


# The library ------------------------------------------------------------------------------

SEARCH_MAX = 100


def instruments(
    *, q: str = "", kind: str = "", theme: str = "", include_unpublished: bool = False
) -> QuerySet[Instrument]:
    """Search the library in both languages (titles, summaries and texts)."""
    qs = Instrument.objects.all()
    if not include_unpublished:
        qs = qs.filter(published=True)
    if kind:
        qs = qs.filter(kind=kind)
    if theme:
        qs = qs.filter(theme=theme)
    for word in q.split()[:8]:
        qs = qs.filter(
            Q(title_nl__icontains=word)
            | Q(title_en__icontains=word)
            | Q(summary_nl__icontains=word)
            | Q(summary_en__icontains=word)
            | Q(body_nl__icontains=word)
            | Q(body_en__icontains=word)
        )
    return qs.order_by("kind", "title_nl")


def instrument(*, id: Any, include_unpublished: bool = False) -> Instrument | None:
    qs = (
        Instrument.objects.all()
        if include_unpublished
        else Instrument.objects.filter(published=True)
    )
    try:
        return qs.filter(pk=id).first()
    except (ValidationError, ValueError, TypeError):  # a malformed id is simply not there
        return None


# Statistics ---------------------------------------------------------------------------------


@dataclass
class Cell:
    label: str | Promise
    count: int | None  # None: suppressed

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass
class Table:
    key: str
    caption: str | Promise
    cells: list[Cell] = field(default_factory=list)
    total: int = 0


@dataclass
class Statistics:
    total: int
    tables: list[Table]
    first_contact: list[tuple[str | Promise, float | None, int | None]]


def suppress(counts: list[tuple[str | Promise, int]]) -> list[Cell]:
    """The cells of one table, which add up to the total shown with it, under disclosure
    control (``vib.core.disclosure``: primary and secondary suppression, zero shown)."""
    hidden = disclosure.protect_line([count for _label, count in counts])
    return [
        Cell(label, disclosure.shown(count, h))
        for (label, count), h in zip(counts, hidden, strict=True)
    ]


DIMENSIONS: list[tuple[str, str | Promise, list[tuple[str, Any]]]] = [
    ("theme", _("Requests by theme"), list(codes.Theme.choices)),
    ("tier", _("Requests by tier"), list(Tier.choices)),
    ("function", _("Requests by function"), list(codes.Function.choices)),
    ("urgency", _("Requests by urgency"), list(codes.Urgency.choices)),
]


def support_statistics(*, team: SupportTeam | None = None, year: int | None = None) -> Statistics:
    """Counts by theme, tier, function and urgency, and median time to first contact.

    Read from the pseudonymised facts only; cells are suppressed as
    ``vib.core.disclosure`` says.
    """
    facts = RequestFact.objects.all()
    if team is not None:
        facts = facts.filter(team=team)
    if year is not None:
        facts = facts.filter(month__year=year)
    total = facts.count()
    tables = []
    for key, caption, choices in DIMENSIONS:
        counts = dict(facts.values_list(key).annotate(n=Count("id")).order_by())
        cells = suppress([(label, counts.get(value, 0)) for value, label in choices])
        tables.append(Table(key=key, caption=caption, cells=cells, total=total))
    hours: dict[str, list[float]] = {}
    for theme, hour in facts.filter(hours_to_first_contact__isnull=False).values_list(
        "theme", "hours_to_first_contact"
    ):
        hours.setdefault(str(theme), []).append(float(hour or 0))
    first_contact: list[tuple[str | Promise, float | None, int | None]] = []
    for value, label in codes.Theme.choices:
        group = hours.get(str(value), [])
        if len(group) >= disclosure.THRESHOLD:
            first_contact.append((label, round(pystats.median(group), 1), len(group)))
        else:
            first_contact.append((label, None, None))
    return Statistics(
        total=0 if disclosure.hides_count(total) else total,
        tables=tables,
        first_contact=first_contact,
    )
