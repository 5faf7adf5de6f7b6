from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from vib.audit.models import Action, AppendOnlyError, AuditEvent
from vib.audit.selectors import audit_chain_problems
from vib.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _events(n: int = 5) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action=Action.READ, object_type="x.y", object_id=str(i))
        for i in range(n)
    ]


def test_chain_links_every_event_to_its_predecessor():
    events = _events()
    assert events[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert list(audit_chain_problems()) == []


def test_application_cannot_change_or_delete_events():
    event = _events(1)[0]
    event.reason = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_verify_command_passes_on_an_intact_log(capsys):
    _events(3)
    call_command("audit", "verify", verbosity=0)
    assert "3" in capsys.readouterr().out


def _tamper(sql: str, params: list) -> None:
    """Change a row behind the application's back, as someone with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_verify_detects_an_altered_row():
    events = _events(4)
    _tamper("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", ["x", events[1].seq])
    problems = list(audit_chain_problems())
    assert [p.seq for p in problems] == [events[1].seq]
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", verbosity=0)
    assert excinfo.value.returncode == 1


def test_verify_detects_a_removed_row():
    events = _events(4)
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])
    assert {p.seq for p in audit_chain_problems()} == {events[3].seq}


def test_verify_detects_a_removed_tail():
    events = _events(3)
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])
    assert [p.message for p in audit_chain_problems()] == [
        "events are missing at the end of the chain"
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_trigger_refuses_update_and_delete():
    event = _events(1)[0]
    for sql in (
        "UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s",
        "DELETE FROM audit_auditevent WHERE seq = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql, [event.seq])


def test_stored_hashes_are_the_keyed_hashes_the_verifier_computes():
    """On PostgreSQL the event is written by a raw statement; the verifier recomputes every
    hash from the stored row. Non-ASCII text, quotes and line breaks are where the two could
    disagree."""
    from vib.audit.chain import FIELDS, event_hash, signing_key

    events = [
        audit_record(
            actor=None,
            action=Action.UPDATE,
            object_type="x.y",
            object_id="ë-1",
            reason='Zoë\'s "reden" — €12,50 ✓\nnieuwe regel',
        ),
        *_events(2),
    ]
    key_id, key = signing_key()
    stored = {e.seq: e for e in AuditEvent.objects.filter(seq__in=[e.seq for e in events])}
    for event in events:
        row = stored[event.seq]
        assert (row.hash, row.prev_hash, row.key_id) == (event.hash, event.prev_hash, key_id)
        values = {name: getattr(row, name) for name in FIELDS}
        assert event_hash(row.prev_hash, values, key=key) == row.hash
    assert list(audit_chain_problems()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not check lengths")
def test_an_error_in_the_audit_undoes_the_callers_write():
    """No savepoint of its own: a failed audit event takes the caller's change with it."""
    from vib.organisations.models import Organisation

    def write_and_audit() -> None:
        with transaction.atomic():
            Organisation.objects.create(name="Tijdelijk", code="gm9999", tier="gemeente")
            audit_record(actor=None, action=Action.CREATE, object_type="x" * 500)

    before = Organisation.objects.count()
    with pytest.raises(DatabaseError):
        write_and_audit()
    assert Organisation.objects.count() == before


def test_the_postgresql_append_lists_the_hashed_fields_in_order():
    from vib.audit import chain, services

    assert services._APPEND_COLUMNS == chain.FIELDS
    columns = ", ".join((*chain.FIELDS, "prev_hash", "hash", "key_id"))
    assert columns in " ".join(services._APPEND_SQL.split())
