"""Retention removes personal data and keeps the facts; the data-subject export shows each
person their own part and nothing that reveals others or the handling."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from vib.incidents import privacy, retention, selectors, services
from vib.incidents.models import (
    EvidenceFile,
    Incident,
    KnownPerpetrator,
    Perpetrator,
    PoliceReport,
    Transition,
    Victim,
    Witness,
)
from vib.incidents.schedule import JOBS

from .conftest import PNG, aware, report

pytestmark = pytest.mark.django_db


def _closed(tenant, when, **overrides):
    coordinator = tenant.people["coordinator"]
    with time_machine.travel(when, tick=False):
        incident = report(
            tenant,
            who="coordinator",
            victim_name="Marieke Slachtoffer",
            description="Mevrouw De Vries werd bedreigd door de heer Jansen",
            location="Dorpsstraat 1",
            files=[SimpleUploadedFile("bewijs.png", PNG)],
            **overrides,
        )
        services.witness_add(incident=incident, actor=coordinator, name="Getuige Pietersen")
        perpetrator = services.perpetrator_add(
            incident=incident, actor=coordinator, kind="bekend", category="burger", name="Jansen"
        )
        known = services.known_perpetrator_create(
            organisation=tenant.organisation, actor=coordinator, label=f"Dader {when:%Y}"
        )
        services.perpetrator_link(
            incident=incident, perpetrator_id=perpetrator.pk, known=known, actor=coordinator
        )
        services.police_report_add(
            incident=incident,
            actor=coordinator,
            kind="aangifte",
            date=when.date(),
            police_reference="PL-123",
            note="Agent Bakker",
        )
        for step in incident.aftercare.all():
            services.aftercare_cancel(
                incident=incident, step_id=step.pk, actor=coordinator, reason="x"
            )
        services.incident_transition(
            incident=incident, actor=coordinator, to_status="afgesloten", note="Jansen gewaarschuwd"
        )
    return incident


def test_retention_removes_personal_data_and_keeps_the_facts(
    world, django_capture_on_commit_callbacks
):
    a = world["a"]
    old = _closed(a, aware(2019, 3, 1, 10, 0))
    recent = _closed(a, aware(2024, 3, 1, 10, 0))
    path = Path(EvidenceFile.objects.get(incident=old).file.path)
    with django_capture_on_commit_callbacks(execute=True):
        done = retention.apply_retention(today=date(2026, 3, 2))
    assert [(d.object_type, d.count, d.organisation_id) for d in done] == [
        ("incidents.incident", 1, str(a.organisation.pk))
    ]
    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert (old.description, old.location, old.reported_by, old.person) == ("", "", None, None)
    assert old.type_values == ["verbaal", "bedreiging"]
    assert old.channel == "persoonlijk"
    victim = Victim.objects.get(incident=old)
    assert (victim.name, victim.user, victim.group) == ("", None, "medewerker")
    assert not Witness.objects.filter(incident=old).exists()
    assert not Transition.objects.filter(incident=old).exists()
    assert not EvidenceFile.objects.filter(incident=old).exists()
    assert not path.exists()
    perpetrator = Perpetrator.objects.get(incident=old)
    assert (perpetrator.name, perpetrator.known, perpetrator.category) == ("", None, "burger")
    police = PoliceReport.objects.get(incident=old)
    assert (police.police_reference, police.note, police.kind) == ("", "", "aangifte")
    # The recent incident keeps everything, and so does its register entry.
    recent.refresh_from_db()
    assert recent.description
    assert recent.anonymised_at is None
    assert list(KnownPerpetrator.objects.values_list("label", flat=True)) == ["Dader 2024"]
    # The statistics still count the anonymised incident.
    figures = selectors.dashboard(a.organisation, since=date(2019, 1, 1), until=date(2026, 3, 2))
    assert figures.total == 2
    # A second run finds nothing more.
    assert retention.apply_retention(today=date(2026, 3, 2))[0].count == 0


def test_the_reminder_is_a_daily_job():
    (job,) = JOBS
    assert job.task == "vib.incidents.tasks.send_aftercare_reminders"
    assert job.daily_at is not None
    assert job.daily_at.hour == 7


def test_the_subject_export_shows_each_person_their_part_only(world):
    a = world["a"]
    employee, manager, wethouder = a.people["employee"], a.people["manager"], a.people["wethouder"]
    own = report(
        a, description="Ik werd uitgescholden", files=[SimpleUploadedFile("mijn.png", PNG)]
    )
    about = report(
        a, who="manager", on_behalf_of=wethouder, description="Door leidinggevende geschreven"
    )
    services.witness_add(incident=own, actor=a.people["coordinator"], name="Getuige Geheim")
    services.incident_transition(
        incident=own,
        actor=a.people["coordinator"],
        to_status="in_behandeling",
        note="Interne notitie",
    )

    mine = privacy.export_subject(employee)
    (entry,) = mine["ownReports"]
    assert entry["reference"] == own.reference
    assert entry["description"] == "Ik werd uitgescholden"
    assert [h["status"] for h in entry["statusHistory"]] == ["gemeld", "in_behandeling"]
    assert entry["evidenceFiles"] == ["mijn.png"]
    assert mine["reportsAboutYou"] == []
    assert mine["reportsForOthers"] == []
    text = repr(mine)
    assert "Getuige Geheim" not in text
    assert "Interne notitie" not in text

    theirs = privacy.export_subject(wethouder)
    (fact,) = theirs["reportsAboutYou"]
    assert fact["reference"] == about.reference
    assert "description" not in fact

    reporter = privacy.export_subject(manager)
    assert reporter["reportsForOthers"] == [
        {"reference": about.reference, "reportedAt": about.reported_at}
    ]
    assert "Door leidinggevende" not in repr(reporter)
    assert privacy.export_subject(a.people["integrity"]) == {}
    assert Incident.objects.count() == 2
