"""Allowed status transitions of a side activity (enforced by ``services``)."""

from __future__ import annotations

from vib.disclosures.models import ActivityStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DECLARED: frozenset({S.REGISTERED, S.WITHDRAWN}),
    S.REGISTERED: frozenset({S.ENDED, S.WITHDRAWN}),
    S.ENDED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
