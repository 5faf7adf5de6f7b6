"""The allowed transitions of an integrity case. ``services.case_transition`` enforces them.

received → acknowledged → triage → investigation → finding → measures → closed, with the
short cuts the law and practice need: triage may close a case (outside scope, advice only,
forwarded to an outside authority), a finding that is not "founded" closes without measures.
An advice request (a lighter case type) goes received → acknowledged → closed.
"""

from __future__ import annotations

from vib.integrity.codes import CaseType, Finding, Status, Triage

S = Status

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    CaseType.REPORT: {
        S.RECEIVED: frozenset({S.ACKNOWLEDGED}),
        S.ACKNOWLEDGED: frozenset({S.TRIAGE}),
        S.TRIAGE: frozenset({S.INVESTIGATION, S.CLOSED}),
        S.INVESTIGATION: frozenset({S.FINDING}),
        S.FINDING: frozenset({S.MEASURES, S.CLOSED}),
        S.MEASURES: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    CaseType.ADVICE: {
        S.RECEIVED: frozenset({S.ACKNOWLEDGED, S.CLOSED}),
        S.ACKNOWLEDGED: frozenset({S.CLOSED}),
        S.CLOSED: frozenset(),
    },
}

#: Triage outcomes that end the case at triage.
CLOSING_TRIAGE = frozenset({Triage.OUTSIDE_SCOPE, Triage.ADVICE_ONLY, Triage.FORWARD})


def allowed(case_type: str, current: str) -> frozenset[str]:
    return TRANSITIONS.get(case_type, {}).get(current, frozenset())


def requirements(case: object, target: str) -> list[str]:
    """What is missing before ``case`` may move to ``target`` (codes for the service)."""
    missing: list[str] = []
    triage = case.triage  # type: ignore[attr-defined]
    status = case.status  # type: ignore[attr-defined]
    case_type = case.case_type  # type: ignore[attr-defined]
    if target == S.INVESTIGATION:
        if triage != Triage.INQUIRY:
            missing.append("triage_inquiry")
        if not case.investigation:  # type: ignore[attr-defined]
            missing.append("investigation")
    if target == S.FINDING and not case.finding:  # type: ignore[attr-defined]
        missing.append("finding")
    if target == S.MEASURES and case.finding != Finding.FOUNDED:  # type: ignore[attr-defined]
        missing.append("finding_founded")
    if target == S.CLOSED and case_type == CaseType.REPORT:
        if status == S.TRIAGE and triage not in CLOSING_TRIAGE:
            missing.append("triage_closing")
        if status == S.TRIAGE and triage == Triage.FORWARD and not case.forwarded_to:  # type: ignore[attr-defined]
            missing.append("forwarded_to")
        if status == S.FINDING and not case.finding:  # type: ignore[attr-defined]
            missing.append("finding")
    return missing
