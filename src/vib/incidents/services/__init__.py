"""All writes of incident registration.

Every function is keyword-only, runs in ``transaction.atomic``, validates before it writes
(raising ``vib.core.errors.ValidationError`` with translated messages per field), locks the
incident row (``select_for_update``) when it changes an existing incident, writes one audit
event, and schedules mail only after the commit. Callers obtain the incident through
``vib.access.incidents`` first; the services check the capabilities a handler alone does not
have (reporting, the coordinator's repeat-perpetrator register).

The writes live in one module per part of an incident's life: ``report`` (the report and its
evidence files), ``record`` (the handling record), ``aftercare`` and ``retention``, with what
they share in ``shared``. Callers import the package (``from vib.incidents import services``);
every public name is re-exported here.
"""

from vib.incidents.services.aftercare import (
    aftercare_add,
    aftercare_cancel,
    aftercare_record,
)
from vib.incidents.services.record import (
    POLICE_FIELDS,
    UPDATABLE,
    VICTIM_FIELDS,
    incident_transition,
    incident_update,
    known_perpetrator_create,
    measure_add,
    measure_remove,
    perpetrator_add,
    perpetrator_link,
    perpetrator_remove,
    police_report_add,
    police_report_update,
    victim_add,
    victim_remove,
    victim_update,
    witness_add,
    witness_remove,
)
from vib.incidents.services.report import (
    REFERENCE_ALPHABET,
    ReportedPerpetrator,
    ReportedVictim,
    ReportFacts,
    evidence_add,
    evidence_remove,
    incident_report,
    new_reference,
)
from vib.incidents.services.retention import (
    RETENTION_NOTE,
    incidents_anonymise,
)
from vib.incidents.services.shared import (
    DESCRIPTION_MAX,
    EARLIEST,
    FUTURE_TOLERANCE,
    MAX_AMOUNT,
)

__all__ = [
    "DESCRIPTION_MAX",
    "EARLIEST",
    "FUTURE_TOLERANCE",
    "MAX_AMOUNT",
    "POLICE_FIELDS",
    "REFERENCE_ALPHABET",
    "RETENTION_NOTE",
    "UPDATABLE",
    "VICTIM_FIELDS",
    "ReportFacts",
    "ReportedPerpetrator",
    "ReportedVictim",
    "aftercare_add",
    "aftercare_cancel",
    "aftercare_record",
    "evidence_add",
    "evidence_remove",
    "incident_report",
    "incident_transition",
    "incident_update",
    "incidents_anonymise",
    "known_perpetrator_create",
    "measure_add",
    "measure_remove",
    "new_reference",
    "perpetrator_add",
    "perpetrator_link",
    "perpetrator_remove",
    "police_report_add",
    "police_report_update",
    "victim_add",
    "victim_remove",
    "victim_update",
    "witness_add",
    "witness_remove",
]
