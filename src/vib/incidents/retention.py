"""Retention of incidents, called daily by ``vib.operations`` (docs/modules.md).

Incidents closed longer ago than ``VIB_INCIDENT_RETENTION_YEARS`` (default 5, the term the
processing register proposes; set the organisation's own term from its selection list) lose
their personal data; the statistical facts stay (habit 8). See ``services.incidents_anonymise``
and docs/adr/0017-import-and-retention.md.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from vib.conf.env import env_int
from vib.incidents import services
from vib.operations.contracts import Destruction

RULE = "incident closed longer than the retention term: personal data removed, facts kept"


def retention_years() -> int:
    configured = getattr(settings, "VIB_INCIDENT_RETENTION_YEARS", None)
    return int(configured) if configured else env_int("VIB_INCIDENT_RETENTION_YEARS", 5)


def apply_retention(*, today: date) -> list[Destruction]:
    years = retention_years()
    try:
        cutoff_day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff_day = today.replace(year=today.year - years, day=28)
    cutoff = timezone.make_aware(datetime.combine(cutoff_day, time.min))
    counts = services.incidents_anonymise(closed_before=cutoff)
    if not counts:
        return [Destruction(object_type="incidents.incident", count=0, rule=RULE)]
    return [
        Destruction(
            object_type="incidents.incident",
            count=count,
            rule=RULE,
            organisation_id=str(organisation_id),
        )
        for organisation_id, count in sorted(counts.items(), key=lambda item: str(item[0]))
    ]
