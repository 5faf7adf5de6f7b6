"""Issue #15 item 5: incident free text and evidence files are sealed with the organisation's
data key, while search, export, retention and key rotation keep working.

Before the fix the description, statements and notes were plain text columns and evidence
files lay on disk as uploaded: the first tests read the database and the disk directly and
find no plain text there now.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from vib.incidents import evidence, selectors, services
from vib.incidents.models import (
    EvidenceFile,
    Incident,
    KnownPerpetrator,
    Transition,
    Witness,
)
from vib.integrity import crypto, keys
from vib.integrity.fields import SealedValue, SealedWriteError

from .conftest import PNG, report

pytestmark = pytest.mark.django_db

SECRET = "Meneer Jansen van de Dorpsstraat 12 sloeg met een stoel"
PLACE = "Balie 4, Stadskantoor Zuid"


def _raw(table: str, column: str, pk) -> str:
    db_pk = Incident._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [db_pk])  # noqa: S608
        return cursor.fetchone()[0]


def _incident(world, **extra):
    return report(world["a"], description=SECRET, location=PLACE, **extra)


def test_free_text_is_not_stored_in_clear(world):
    incident = _incident(world)
    coordinator = world["a"].people["coordinator"]
    witness = services.witness_add(
        incident=incident, actor=coordinator, name="Piet", statement="Ik zag Jansen slaan."
    )
    stored = _raw("incidents_incident", "description", incident.pk)
    assert stored.startswith(crypto.PREFIX)
    assert "Jansen" not in stored
    assert "Stadskantoor" not in _raw("incidents_incident", "location", incident.pk)
    assert "Jansen" not in _raw("incidents_witness", "statement", witness.pk)
    # The program sees the text.
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.description, fresh.location) == (SECRET, PLACE)
    assert Witness.objects.get(pk=witness.pk).statement == "Ik zag Jansen slaan."


def test_evidence_files_are_sealed_on_disk(world):
    marker = b"tEXtname\x00Jansen"
    png = PNG + marker
    incident = _incident(
        world, files=[SimpleUploadedFile("foto.png", png, content_type="image/png")]
    )
    row = EvidenceFile.objects.get(incident=incident)
    on_disk = Path(row.file.path).read_bytes()
    assert on_disk.startswith(evidence.SEALED_MAGIC)
    assert marker not in on_disk
    assert PNG[:8] not in on_disk
    assert "foto" not in _raw("incidents_evidencefile", "original_name", row.pk)
    assert selectors.evidence_content(row) == png
    assert row.original_name == "foto.png"


def test_download_serves_the_opened_file(world, client):
    incident = _incident(world, files=[SimpleUploadedFile("f.png", PNG, content_type="image/png")])
    row = EvidenceFile.objects.get(incident=incident)
    client.force_login(world["a"].people["coordinator"])
    response = client.get(f"/incidenten/bewijs/{row.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_a_sealed_value_moved_to_another_row_does_not_open(world):
    one, two = _incident(world), report(world["a"], description="iets anders")
    token = _raw("incidents_incident", "description", one.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_incident SET description = %s WHERE id = %s",
            [token, Incident._meta.pk.get_db_prep_value(two.pk, connection)],
        )
    with pytest.raises(crypto.DecryptionError):
        _ = Incident.objects.get(pk=two.pk).description


def test_plain_text_cannot_be_written_around_the_seal(world):
    incident = _incident(world)
    with pytest.raises(SealedWriteError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(description="in clear")
    with pytest.raises(SealedWriteError), transaction.atomic():
        list(Incident.objects.filter(description__icontains="Jansen"))
    # values() hands out sealed values that refuse to be shown unopened.
    [value] = Incident.objects.filter(pk=incident.pk).values_list("description", flat=True)
    assert isinstance(value, SealedValue)
    with pytest.raises(TypeError):
        str(value)
    assert value.open(incident.organisation_id, incident.pk) == SECRET


def test_search_and_export_still_see_the_text(world):
    incident = _incident(world)
    report(world["a"], description="Iets heel anders")
    qs = Incident.objects.filter(organisation=world["a"].organisation)
    for term in ("jansen", "STOEL", "stadskantoor zuid", incident.reference):
        found = selectors.filter_incidents(qs, selectors.IncidentFilters(q=term))
        assert [i.pk for i in found] == [incident.pk], term
    assert not selectors.filter_incidents(qs, selectors.IncidentFilters(q="nergens")).exists()
    rows = list(selectors.export_rows(qs.filter(pk=incident.pk)))
    assert SECRET in rows[0]
    assert PLACE in rows[0]


def test_updates_notes_and_retention(world):
    incident = _incident(world)
    coordinator = world["a"].people["coordinator"]
    services.incident_update(incident=incident, actor=coordinator, description="Nieuw: Jansen")
    assert Incident.objects.get(pk=incident.pk).description == "Nieuw: Jansen"
    services.incident_transition(
        incident=incident, actor=coordinator, to_status="in_behandeling", note="Jansen gebeld"
    )
    note = Transition.objects.filter(incident=incident).exclude(note="").get()
    assert note.note == "Jansen gebeld"
    Incident.objects.filter(pk=incident.pk).update(
        status="afgesloten", closed_at=timezone.now() - timezone.timedelta(days=3)
    )
    services.incidents_anonymise(closed_before=timezone.now())
    gone = Incident.objects.get(pk=incident.pk)
    assert (gone.description, gone.location) == ("", "")


def test_data_key_rotation_reseals_columns_and_files(world):
    organisation_id = world["a"].organisation.pk
    incident = _incident(world, files=[SimpleUploadedFile("f.png", PNG, content_type="image/png")])
    KnownPerpetrator.objects.create(organisation_id=organisation_id, label="D1", note="Jansen")
    services.incident_transition(
        incident=incident,
        actor=world["a"].people["coordinator"],
        to_status="in_behandeling",
        note="Jansen gebeld",
    )
    before = crypto.active_version(organisation_id)
    keys.data_keys_rotate(organisation_ids=[organisation_id])
    after = crypto.active_version(organisation_id)
    assert after == before + 1
    token = _raw("incidents_incident", "description", incident.pk)
    assert crypto.version_of(token) == after
    row = EvidenceFile.objects.get(incident=incident)
    assert evidence.sealed_version(Path(row.file.path).read_bytes()) == after
    assert selectors.evidence_content(row) == PNG
    assert Incident.objects.get(pk=incident.pk).description == SECRET
    assert KnownPerpetrator.objects.get(label="D1").note == "Jansen"
    # The append-only history let the re-seal through (on PostgreSQL: its trigger), only that.
    history = Transition.objects.filter(incident=incident).exclude(note="").get()
    assert history.note == "Jansen gebeld"
    assert crypto.version_of(_raw_note(history.pk)) == after


def _raw_note(pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM incidents_transition WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_migration_seals_rows_and_files_written_in_clear(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "vib.incidents.migrations.0006_sealed_free_text_and_evidence"
    )
    incident = _incident(world, files=[SimpleUploadedFile("f.png", PNG, content_type="image/png")])
    row = EvidenceFile.objects.get(incident=incident)
    db_pk = Incident._meta.pk.get_db_prep_value(incident.pk, connection)
    with connection.cursor() as cursor:  # as an older version left them
        cursor.execute(
            "UPDATE incidents_incident SET description = %s, location = '' WHERE id = %s",
            [SECRET, db_pk],
        )
    Path(row.file.path).write_bytes(PNG)
    assert Incident.objects.get(pk=incident.pk).description == SECRET  # readable meanwhile

    class Editor:
        connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.seal_columns(apps, Editor())
    migration.seal_files(apps, Editor())
    migration.seal_columns(apps, Editor())  # idempotent
    assert _raw("incidents_incident", "description", incident.pk).startswith(crypto.PREFIX)
    assert Path(row.file.path).read_bytes().startswith(evidence.SEALED_MAGIC)
    assert Incident.objects.get(pk=incident.pk).description == SECRET
    assert selectors.evidence_content(row) == PNG
