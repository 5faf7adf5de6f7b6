"""The allowed status transitions of an incident (docs/domain.md §3).

reported → being handled → measures taken → aftercare → closed. Handling may skip steps
(not every incident needs measures), may go back to "being handled", and a closed incident
can be reopened with a reason. ``services.incident_transition`` enforces this table and
writes every transition to the append-only history.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from vib.incidents.codes import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REPORTED: frozenset({Status.HANDLING, Status.CLOSED}),
    Status.HANDLING: frozenset({Status.MEASURES, Status.AFTERCARE, Status.CLOSED}),
    Status.MEASURES: frozenset({Status.HANDLING, Status.AFTERCARE, Status.CLOSED}),
    Status.AFTERCARE: frozenset({Status.HANDLING, Status.MEASURES, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.HANDLING}),
}

# Going back needs a reason in the note.
NEEDS_NOTE: frozenset[tuple[str, str]] = frozenset(
    {
        (Status.CLOSED, Status.HANDLING),
        (Status.REPORTED, Status.CLOSED),
    }
)


def allowed_targets(status: str) -> list[str]:
    """The statuses an incident in ``status`` may move to, in workflow order."""
    targets = TRANSITIONS.get(status, frozenset())
    return [value for value in Status.values if value in targets]


def transition_problem(
    *, from_status: str, to_status: str, note: str, open_aftercare: int
) -> str | None:
    """Why this transition is not allowed (a translated sentence), or ``None``."""
    if to_status not in Status.values:
        return _("Unknown status.")
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        return _("An incident cannot go from '%(from)s' to '%(to)s'.") % {
            "from": Status(from_status).label,
            "to": Status(to_status).label,
        }
    if (from_status, to_status) in NEEDS_NOTE and not note.strip():
        return _("Say why in the note.")
    if to_status == Status.CLOSED and open_aftercare:
        return _(
            "The incident still has %(count)d open aftercare step(s); record or cancel them first."
        ) % {"count": open_aftercare}
    return None
