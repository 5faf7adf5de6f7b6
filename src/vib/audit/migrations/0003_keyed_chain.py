"""The keyed chain (ADR 0093): a key id per event, existing events re-signed once, and
PostgreSQL triggers against TRUNCATE and against deleting or moving back the chain head."""

from django.db import migrations, models

# TRUNCATE is refused on both tables. Django's test runner empties its own test database
# (named test_…) with TRUNCATE between transactional tests, so there, and only there, it is
# let through unless a test asks for the production behaviour (vib.audit_refuse_truncate).
CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF left(current_database(), 5) = 'test_'
       AND coalesce(current_setting('vib.audit_refuse_truncate', true), '') <> 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();

CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING MESSAGE = 'audit_chainhead cannot be deleted: DELETE refused';
    END IF;
    IF NEW.id <> OLD.id OR NEW.last_seq <= OLD.last_seq THEN
        RAISE EXCEPTION USING MESSAGE = 'audit_chainhead only moves forward: UPDATE refused';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_chainhead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_chainhead;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""


def resign_existing_events(apps, schema_editor):
    """Verify the unkeyed chain once more, then sign every event with the current key.

    A broken unkeyed chain is not re-signed (that would launder the tampering): the
    migration stops and says so.
    """
    from vib.audit.chain import GENESIS, event_hash, signing_key, unkeyed_event_hash

    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "ChainHead")
    if not event_model.objects.exists():
        return
    key_id, key = signing_key()
    names = [f.name for f in event_model._meta.concrete_fields]
    old_prev, new_prev = GENESIS, GENESIS
    changed = []
    for event in event_model.objects.order_by("seq").iterator(chunk_size=2000):
        values = {name: getattr(event, name) for name in names}
        if event.prev_hash != old_prev or unkeyed_event_hash(old_prev, values) != event.hash:
            raise RuntimeError(
                f"The audit chain is broken at event {event.seq}; it is not re-signed. "
                "Investigate with the previous release's `vib audit verify` first."
            )
        old_prev = event.hash
        event.prev_hash = new_prev
        event.hash = event_hash(new_prev, values, key=key)
        event.key_id = key_id
        new_prev = event.hash
        changed.append(event)
    head = head_model.objects.filter(id=1).first()
    if head is None or head.last_hash != old_prev:
        raise RuntimeError("The audit chain head does not match the newest event; not re-signed.")
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        # Hashes are unique: park them first so a new hash cannot collide with an old one.
        cursor.execute("UPDATE audit_auditevent SET hash = '~' || seq")
        event_model.objects.bulk_update(changed, ["prev_hash", "hash", "key_id"], batch_size=500)
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
    head_model.objects.filter(id=1).update(last_hash=new_prev)


def forwards_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(resign_existing_events, migrations.RunPython.noop),
        migrations.RunPython(forwards_triggers, backwards_triggers),
    ]
