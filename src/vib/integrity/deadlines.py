"""The whistleblower law's deadlines, computed per case in the organisation's time zone.

* acknowledgement: within 7 days of receipt;
* feedback: within 3 months of the acknowledgement, or of day 7 when none was sent (nor when
  it was sent late: the earlier of the two starts the period).

"3 months" is a calendar rule: the same day of the month three months on, or the month's
last day when that day does not exist (31 January → 30 April; 30 November → 28/29 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

ACK_DAYS = 7
FEEDBACK_MONTHS = 3
SOON_DAYS = {"acknowledgement": 2, "feedback": 14}


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@dataclass(frozen=True)
class Deadline:
    kind: str  # "acknowledgement" or "feedback"
    due: date
    met_at: datetime | None

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def overdue(self, today: date) -> bool:
        return self.met_at is None and today > self.due

    def soon(self, today: date) -> bool:
        return self.met_at is None and 0 <= self.days_left(today) <= SOON_DAYS[self.kind]


def acknowledgement_due(received_at: datetime) -> date:
    return local_date(received_at) + timedelta(days=ACK_DAYS)


def feedback_due(received_at: datetime, acknowledged_at: datetime | None) -> date:
    # A late acknowledgement does not push the feedback deadline out: day 7 is the latest start.
    start = acknowledgement_due(received_at)
    if acknowledged_at is not None:
        start = min(start, local_date(acknowledged_at))
    return add_months(start, FEEDBACK_MONTHS)


def deadlines_of(case: object) -> list[Deadline]:
    received_at = case.received_at  # type: ignore[attr-defined]
    acknowledged_at = case.acknowledged_at  # type: ignore[attr-defined]
    return [
        Deadline("acknowledgement", acknowledgement_due(received_at), acknowledged_at),
        Deadline(
            "feedback",
            feedback_due(received_at, acknowledged_at),
            case.feedback_at,  # type: ignore[attr-defined]
        ),
    ]
