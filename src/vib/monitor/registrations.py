"""Registered counts beside the survey, from the other modules' public selectors only
(``vib.incidents.selectors.sector_overview``, ``vib.integrity.report.build``) and the
organisation registry (staff per tier). See ADR 0076.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from vib.organisations.models import Organisation


@dataclass(frozen=True)
class TierRegistrations:
    tier: str
    staff: int | None
    registered: int | None  # None: hidden by the incidents module's disclosure control
    complete: bool  # False when some groups of the tier were hidden (then a lower bound)

    @property
    def per_100_staff(self) -> float | None:
        if self.registered is None or not self.staff:
            return None
        return 100 * self.registered / self.staff


@dataclass(frozen=True)
class Registrations:
    since: dt.date
    until: dt.date
    tiers: list[TierRegistrations]
    integrity_year: int
    integrity_rows: list[tuple[str, str]]  # (label, shown value or "x")


def reference_period(field_start: dt.date) -> tuple[dt.date, dt.date]:
    """The twelve months before the field period: what the questionnaire asks about."""
    until = field_start - dt.timedelta(days=1)
    return dt.date(field_start.year - 1, field_start.month, min(field_start.day, 28)), until


def collect(*, field_start: dt.date, edition: int) -> Registrations:
    from vib.incidents.selectors import sector_overview
    from vib.integrity import report as integrity_report

    since, until = reference_period(field_start)
    totals: dict[str, list[Any]] = {}
    for group in sector_overview(since=since, until=until):
        entry = totals.setdefault(group.tier, [0, True])
        if group.total is None:
            entry[1] = entry[1] and group.reporting == 0
        else:
            entry[0] += group.total
    staff = {
        row["tier"]: row["staff"]
        for row in Organisation.objects.filter(active=True)
        .values("tier")
        .annotate(staff=Sum("staff"))
        .order_by()
    }
    tiers = [
        TierRegistrations(
            tier=t, staff=staff.get(t), registered=v[0] if v[1] else None, complete=v[1]
        )
        for t, v in sorted(totals.items())
    ]
    year = edition - 1
    built = integrity_report.build(year=year, organisations=None, title="")
    overview = next(t for t in built["tables"] if t.key == "overview")
    rows = [(str(label), str(cells[0])) for label, cells in overview.rows]
    return Registrations(since, until, tiers, year, rows)
