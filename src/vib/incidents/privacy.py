"""The incidents part of the data-subject export (docs/privacy/subject-export.md).

* Reports the person made about themselves: what they entered, the status and its dates, the
  names of the files they uploaded.
* Incidents about them that someone else reported (or in which a coordinator added them as a
  victim): the facts and the status, not the description (written by someone else, it can
  name others).
* Reports they made on behalf of someone else: only the reference and the date — the rest is
  the other person's data.

Never: the handling record (notes, measures, police, aftercare notes), perpetrators,
witnesses, or who handled it.
"""

from __future__ import annotations

from typing import Any

from vib.incidents import selectors


def export_subject(user: Any) -> dict[str, Any]:
    rows = selectors.subject_incidents(user)
    if not any(rows.values()):
        return {}
    return {
        "ownReports": [
            {
                **_facts(incident),
                "description": incident.description,
                "statusHistory": [
                    {"status": t.to_status, "at": t.at} for t in selectors.status_history(incident)
                ],
                "evidenceFiles": [f.original_name for f in selectors.own_files(incident, user)],
            }
            for incident in rows["own"]
        ],
        "reportsAboutYou": [_facts(incident) for incident in rows["about"]],
        "reportsForOthers": [
            {"reference": i.reference, "reportedAt": i.reported_at} for i in rows["for_others"]
        ],
    }


def _facts(incident: Any) -> dict[str, Any]:
    return {
        "reference": incident.reference,
        "reportedAt": incident.reported_at,
        "occurredAt": incident.occurred_at,
        "types": incident.type_values,
        "channel": incident.channel,
        "platform": incident.platform,
        "place": incident.place_kind,
        "severity": incident.severity,
        "status": incident.status,
    }
