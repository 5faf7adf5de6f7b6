"""The aftercare deadlines (docs/domain.md §3), as pure functions of moments.

* First contact within **72 hours** of the report (or of adding a victim later).
* When the first contact (or a repeated offer) is accepted or leads to a referral:
  a follow-up after **2 weeks** and one in the window **6 to 8 weeks** after that contact.
* A declined offer is repeated **2 weeks** later, once; declining the repeated offer ends the
  automatic schedule (the coordinator can always add a contact by hand).

A step "opens" at ``due_from`` (shown as coming up) and is overdue after ``due_at``.
Single-moment deadlines open two days early so they appear on the start page in time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vib.incidents.codes import AftercareKind, AftercareOutcome

FIRST_CONTACT_WITHIN = timedelta(hours=72)
FOLLOW_UP_AFTER = timedelta(weeks=2)
LATE_FOLLOW_UP_FROM = timedelta(weeks=6)
LATE_FOLLOW_UP_UNTIL = timedelta(weeks=8)
REPEAT_OFFER_AFTER = timedelta(weeks=2)
OPENS_EARLY = timedelta(days=2)


@dataclass(frozen=True)
class Deadline:
    kind: str
    due_from: datetime
    due_at: datetime


def first_contact(start: datetime) -> Deadline:
    return Deadline(AftercareKind.FIRST_CONTACT, start, start + FIRST_CONTACT_WITHIN)


def after_step(*, kind: str, outcome: str, done_at: datetime) -> list[Deadline]:
    """The steps that follow when a step of ``kind`` is recorded with ``outcome``."""
    offers = (AftercareKind.FIRST_CONTACT, AftercareKind.REPEAT_OFFER)
    if kind not in offers:
        return []
    if outcome in (AftercareOutcome.ACCEPTED, AftercareOutcome.REFERRED):
        follow_up = done_at + FOLLOW_UP_AFTER
        return [
            Deadline(AftercareKind.FOLLOW_UP_2W, follow_up - OPENS_EARLY, follow_up),
            Deadline(
                AftercareKind.FOLLOW_UP_6W,
                done_at + LATE_FOLLOW_UP_FROM,
                done_at + LATE_FOLLOW_UP_UNTIL,
            ),
        ]
    if outcome == AftercareOutcome.DECLINED and kind == AftercareKind.FIRST_CONTACT:
        repeat = done_at + REPEAT_OFFER_AFTER
        return [Deadline(AftercareKind.REPEAT_OFFER, repeat - OPENS_EARLY, repeat)]
    return []
