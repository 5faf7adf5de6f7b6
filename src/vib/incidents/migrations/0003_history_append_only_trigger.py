from django.db import migrations

# The status history is never edited: PostgreSQL refuses UPDATE. DELETE stays possible only
# through the incident (retention removes an incident with its history); the model refuses a
# delete of a single history row.

CREATE = """
CREATE OR REPLACE FUNCTION incidents_transition_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'incidents_transition is append-only: UPDATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_transition_no_update
    BEFORE UPDATE ON incidents_transition
    FOR EACH ROW EXECUTE FUNCTION incidents_transition_no_update();
"""

DROP = """
DROP TRIGGER IF EXISTS incidents_transition_no_update ON incidents_transition;
DROP FUNCTION IF EXISTS incidents_transition_no_update();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_grant_capabilities")]
    operations = [migrations.RunPython(forwards, backwards)]
