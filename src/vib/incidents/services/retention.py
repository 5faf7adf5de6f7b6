"""The retention term of incidents: personal data removed, statistical facts kept."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.incidents import codes
from vib.incidents.models import (
    AftercareStep,
    EvidenceFile,
    Incident,
    KnownPerpetrator,
    Measure,
    Perpetrator,
    PoliceReport,
    Transition,
    Victim,
    Witness,
)
from vib.incidents.services.shared import (
    _discard,
)

# --- retention ---------------------------------------------------------------------------------

RETENTION_NOTE = "retention: personal data removed, statistical facts kept"


def incidents_anonymise(*, closed_before: datetime, batch: int = 500) -> dict[Any, int]:
    """Remove the personal data of incidents closed before ``closed_before``; keep the facts.

    What goes: descriptions and locations, the links to people (reporter, victims' accounts),
    names, functions and contact details, witnesses, perpetrator details and register links,
    notes, police references, evidence files and the status history (its notes name people).
    What stays, for the dashboard, the benchmark and the monitor: organisation, unit, dates,
    types, channel, platform, place, severity, victim groups, amounts, measures and police
    report kinds and outcomes, and the aftercare steps' kinds and dates.
    Returns the number of incidents anonymised per organisation id.
    """
    counts: dict[Any, int] = {}
    while True:
        with transaction.atomic():
            rows = list(
                Incident.objects.select_for_update(skip_locked=True)
                .filter(
                    status=codes.Status.CLOSED,
                    closed_at__lt=closed_before,
                    anonymised_at__isnull=True,
                )
                .order_by("closed_at")
                .values_list("pk", "organisation_id")[:batch]
            )
            if not rows:
                return counts
            ids = [pk for pk, _organisation in rows]
            now = timezone.now()
            files = list(
                EvidenceFile.objects.filter(incident_id__in=ids).values_list("file", flat=True)
            )
            EvidenceFile.objects.filter(incident_id__in=ids).delete()
            Witness.objects.filter(incident_id__in=ids).delete()
            Transition.objects.filter(incident_id__in=ids).delete()
            Victim.objects.filter(incident_id__in=ids).update(
                name="", user=None, function="", unit=None, behaviour_change="", updated_at=now
            )
            linked = set(
                Perpetrator.objects.filter(incident_id__in=ids, known__isnull=False).values_list(
                    "known_id", flat=True
                )
            )
            Perpetrator.objects.filter(incident_id__in=ids).update(
                name="", description="", known=None, updated_at=now
            )
            KnownPerpetrator.objects.filter(pk__in=linked, perpetrators__isnull=True).delete()
            Measure.objects.filter(incident_id__in=ids).update(note="", updated_at=now)
            PoliceReport.objects.filter(incident_id__in=ids).update(
                police_reference="", note="", updated_at=now
            )
            AftercareStep.objects.filter(incident_id__in=ids).update(
                note="", cancel_reason="", done_by=None, updated_at=now
            )
            Incident.objects.filter(pk__in=ids).update(
                description="",
                location="",
                reported_by=None,
                person=None,
                external_id="",
                anonymised_at=now,
                updated_at=now,
            )
            for pk, organisation_id in rows:
                audit_record(
                    actor=None,
                    action=Action.UPDATE,
                    object_type="incidents.incident",
                    object_id=str(pk),
                    organisation=organisation_id,
                    channel="retention",
                    reason=RETENTION_NOTE,
                )
                counts[organisation_id] = counts.get(organisation_id, 0) + 1
            transaction.on_commit(partial(_discard, files))
