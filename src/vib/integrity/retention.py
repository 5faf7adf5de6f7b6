"""Retention of integrity cases, called daily by ``vib.operations`` (ADR 25).

Closed cases past their organisation's period for their outcome are deleted or anonymised;
each gets an integrity ``DestructionRecord`` (reference, dates, rule); the yearly report's
``ReportFact`` rows are kept.
"""

from __future__ import annotations

from datetime import date

from vib.integrity import services
from vib.operations.contracts import Destruction

RULE = (
    "closed integrity case past its organisation's retention period for its outcome "
    "(deleted or anonymised; yearly-report facts kept)"
)


def apply_retention(*, today: date) -> list[Destruction]:
    records = services.retention_run(today=today)
    per_organisation: dict[str, int] = {}
    for record in records:
        key = str(record.organisation_id)
        per_organisation[key] = per_organisation.get(key, 0) + 1
    if not per_organisation:
        return [Destruction(object_type="integrity.case", count=0, rule=RULE)]
    return [
        Destruction(object_type="integrity.case", count=count, rule=RULE, organisation_id=org)
        for org, count in sorted(per_organisation.items())
    ]
