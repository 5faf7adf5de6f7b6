"""Free text and evidence files sealed with the organisation's data key (issue #15 item 5).

The columns become ``SealedTextField`` (text; the old length limits stay in the services),
then every existing value and file is sealed in place. Idempotent: sealed values and files
are recognised by their prefix and left alone, so the migration can be re-run after a crash.
The status history stays append-only: its trigger now lets through only a re-seal of the
note, announced with ``vib.reseal`` for the transaction (ADR 0098).
"""

from django.db import migrations

import vib.integrity.fields

MODELS = (
    "Incident",
    "Transition",
    "Victim",
    "Witness",
    "KnownPerpetrator",
    "Perpetrator",
    "Measure",
    "PoliceReport",
    "AftercareStep",
    "EvidenceFile",
)

TRIGGER = """
CREATE OR REPLACE FUNCTION incidents_transition_no_update() RETURNS trigger AS $$
BEGIN
    IF current_setting('vib.reseal', true) = 'on'
       AND (NEW.id, NEW.incident_id, NEW.organisation_id, NEW.from_status, NEW.to_status,
            NEW.actor_id, NEW.actor_label, NEW.at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.incident_id, OLD.organisation_id, OLD.from_status, OLD.to_status,
            OLD.actor_id, OLD.actor_label, OLD.at) THEN
        RETURN NEW;  -- the note re-sealed under another key version, nothing else
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'incidents_transition is append-only: UPDATE refused';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER_BEFORE = """
CREATE OR REPLACE FUNCTION incidents_transition_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'incidents_transition is append-only: UPDATE refused';
END;
$$ LANGUAGE plpgsql;
"""


def allow_reseal(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SELECT set_config('vib.reseal', 'on', true)")


def seal_columns(apps, schema_editor):
    from vib.integrity.crypto import PREFIX
    from vib.integrity.fields import SealedTextField, SealedValue, seal_for

    allow_reseal(schema_editor)
    for name in MODELS:
        model = apps.get_model("incidents", name)
        fields = [f for f in model._meta.fields if isinstance(f, SealedTextField)]
        binds = sorted({f.bind if f.bind != "pk" else "pk" for f in fields})
        columns = [f.attname for f in fields]
        rows = model.objects.order_by().values_list("pk", "organisation_id", *binds, *columns)
        for row in rows.iterator(chunk_size=500):
            pk, organisation_id = row[0], row[1]
            bound = dict(zip(binds, row[2 : 2 + len(binds)], strict=True))
            changes = {}
            for field, raw in zip(fields, row[2 + len(binds) :], strict=True):
                if isinstance(raw, SealedValue) and not raw.token.startswith(PREFIX):
                    changes[field.attname] = seal_for(
                        organisation_id, field.purpose, bound[field.bind], raw.token
                    )
            if changes:
                model.objects.filter(pk=pk).update(**changes)


def seal_files(apps, schema_editor):
    from vib.incidents import evidence
    from vib.incidents.models import evidence_storage

    storage = evidence_storage()
    model = apps.get_model("incidents", "EvidenceFile")
    for pk, organisation_id, name in model.objects.values_list(
        "pk", "organisation_id", "file"
    ).iterator(chunk_size=500):
        if not name or not storage.exists(name):
            continue
        path = storage.path(name)
        with open(path, "rb") as handle:
            stored = handle.read()
        if stored.startswith(evidence.SEALED_MAGIC):
            continue
        evidence.rewrite_in_place(path, evidence.seal_content(organisation_id, pk, stored))


def trigger_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def trigger_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_occurred_month_and_covering_index"),
        ("integrity", "0001_cases_mailbox_and_report_facts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="aftercarestep",
            name="cancel_reason",
            field=vib.integrity.fields.SealedTextField(
                blank=True,
                max_length=200,
                purpose="aftercare.cancel_reason",
                verbose_name="reason for cancelling",
            ),
        ),
        migrations.AlterField(
            model_name="aftercarestep",
            name="note",
            field=vib.integrity.fields.SealedTextField(
                blank=True, purpose="aftercare.note", verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="evidencefile",
            name="original_name",
            field=vib.integrity.fields.SealedTextField(
                max_length=200, purpose="evidence.original_name", verbose_name="file name"
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="description",
            field=vib.integrity.fields.SealedTextField(
                blank=True, purpose="incident.description", verbose_name="what happened"
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="location",
            field=vib.integrity.fields.SealedTextField(
                blank=True, max_length=200, purpose="incident.location", verbose_name="location"
            ),
        ),
        migrations.AlterField(
            model_name="knownperpetrator",
            name="note",
            field=vib.integrity.fields.SealedTextField(
                blank=True, purpose="known_perpetrator.note", verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="measure",
            name="note",
            field=vib.integrity.fields.SealedTextField(
                blank=True, purpose="measure.note", verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="perpetrator",
            name="description",
            field=vib.integrity.fields.SealedTextField(
                blank=True,
                max_length=300,
                purpose="perpetrator.description",
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="policereport",
            name="note",
            field=vib.integrity.fields.SealedTextField(
                blank=True, purpose="police_report.note", verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="transition",
            name="note",
            field=vib.integrity.fields.SealedTextField(
                bind="incident_id", blank=True, purpose="transition.note", verbose_name="note"
            ),
        ),
        migrations.AlterField(
            model_name="victim",
            name="behaviour_change",
            field=vib.integrity.fields.SealedTextField(
                blank=True,
                max_length=200,
                purpose="victim.behaviour_change",
                verbose_name="how (e.g. avoids social media)",
            ),
        ),
        migrations.AlterField(
            model_name="witness",
            name="statement",
            field=vib.integrity.fields.SealedTextField(
                blank=True, purpose="witness.statement", verbose_name="statement"
            ),
        ),
        migrations.RunPython(trigger_forwards, trigger_backwards),
        migrations.RunPython(seal_columns, migrations.RunPython.noop),
        migrations.RunPython(seal_files, migrations.RunPython.noop),
    ]
