from django.db import migrations, models
from django.utils import timezone

# 1. ``occurred_month``: the local month of ``occurred_at``, kept by the model, so the dashboard
#    groups on a plain date instead of converting every row's time zone (ADR 19).
# 2. On PostgreSQL the list and dashboard index also carries the columns they filter and count
#    on, so a count or a period aggregate over one organisation is an index-only scan. The
#    index keeps its name, so Django's state (a plain index) stays valid for later migrations.
#    SQLite has no INCLUDE; there the plain index of 0001 stays.

COVERING = """
DROP INDEX IF EXISTS incident_org_occurred;
CREATE INDEX incident_org_occurred ON incidents_incident
    (organisation_id, occurred_at DESC)
    INCLUDE (status, channel, types, severity, victim_groups, place_kind, unit_id, occurred_month);
"""

PLAIN = """
DROP INDEX IF EXISTS incident_org_occurred;
CREATE INDEX incident_org_occurred ON incidents_incident (organisation_id, occurred_at DESC);
"""


def fill_months(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    rows = Incident.objects.filter(occurred_month__isnull=True).only("id", "occurred_at")
    batch = []
    for incident in rows.iterator(chunk_size=2000):
        incident.occurred_month = timezone.localtime(incident.occurred_at).date().replace(day=1)
        batch.append(incident)
        if len(batch) == 2000:
            Incident.objects.bulk_update(batch, ["occurred_month"])
            batch = []
    if batch:
        Incident.objects.bulk_update(batch, ["occurred_month"])


def covering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COVERING)


def plain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PLAIN)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_retention_and_task_effects")]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="occurred_month",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(fill_months, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="incident",
            name="occurred_month",
            field=models.DateField(
                editable=False,
                help_text="First day of the local month of occurred_at: the dashboard groups on it.",
                verbose_name="month",
            ),
        ),
        migrations.RunPython(covering, plain),
    ]
