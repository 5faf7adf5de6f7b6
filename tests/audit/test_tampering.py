"""``vib audit verify`` against someone with write access to the database (issue #15, item 3).

Each test changes the tables behind the application's back, the way a database administrator
could, and expects verify to fail. Under the unkeyed chain with an optional head (before ADR
0093) the last four went unnoticed: removed last events together with the head, an emptied
table, a row rewritten with recomputed hashes and a truncated table all verified as intact.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from vib.audit.chain import FIELDS, event_hash, event_payload
from vib.audit.models import Action, AuditEvent, ChainHead
from vib.audit.selectors import audit_chain_problems
from vib.audit.services import audit_checkpoint_write, audit_record

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def _events(n: int) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action=Action.READ, object_type="x.y", object_id=str(i))
        for i in range(n)
    ]


def _as_dba(*statements: tuple[str, list]) -> None:
    """Run statements with the application's triggers out of the way (a table owner can)."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_chainhead DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if POSTGRESQL:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_chainhead ENABLE TRIGGER USER")


def _verify_fails() -> list[str]:
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", verbosity=0)
    assert excinfo.value.returncode == 1
    return [p.message for p in audit_chain_problems()]


def test_an_intact_chain_with_checkpoints_verifies(capsys):
    _events(3)
    audit_checkpoint_write()
    _events(2)  # events after the newest checkpoint are fine
    audit_checkpoint_write()
    call_command("audit", "verify", verbosity=0)
    assert "5" in capsys.readouterr().out


def test_a_changed_row_fails():
    events = _events(4)
    _as_dba(("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", ["x", events[1].seq]))
    assert _verify_fails() == ["content does not match its hash"]


def test_a_deleted_middle_row_fails():
    events = _events(4)
    _as_dba(("DELETE FROM audit_auditevent WHERE seq = %s", [events[1].seq]))
    assert "link to the previous event is broken" in _verify_fails()


def test_deleted_last_rows_with_the_head_fail():
    events = _events(5)
    _as_dba(
        ("DELETE FROM audit_auditevent WHERE seq >= %s", [events[3].seq]),
        ("DELETE FROM audit_chainhead", []),
    )
    assert _verify_fails() == ["the chain head is missing"]


def test_deleted_last_rows_with_the_head_moved_back_fail_against_a_checkpoint():
    events = _events(5)
    audit_checkpoint_write()
    _as_dba(
        ("DELETE FROM audit_auditevent WHERE seq >= %s", [events[3].seq]),
        (
            "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s",
            [events[2].seq, events[2].hash],
        ),
    )
    problems = _verify_fails()
    assert "an event a checkpoint recorded is missing" in problems
    assert "fewer events than the newest checkpoint" in problems


def test_an_emptied_table_fails():
    _events(3)
    audit_checkpoint_write()
    _as_dba(("DELETE FROM audit_auditevent", []), ("DELETE FROM audit_chainhead", []))
    assert "an event a checkpoint recorded is missing" in _verify_fails()


def test_an_emptied_event_table_with_its_head_left_fails_without_a_checkpoint():
    _events(3)
    _as_dba(("DELETE FROM audit_auditevent", []))
    assert _verify_fails() == ["events are missing at the end of the chain"]


def test_a_rewritten_row_with_recomputed_hashes_fails():
    """Without the key, the best a forger can do is recompute the hashes some other way."""
    events = _events(4)
    rows = list(AuditEvent.objects.order_by("seq").values("seq", "prev_hash", "hash", *FIELDS))
    statements: list[tuple[str, list]] = []
    prev = rows[0]["prev_hash"]
    for row in rows:
        if row["seq"] == events[1].seq:
            row["reason"] = "nothing happened"
        forged = hashlib.sha256((prev + event_payload(row)).encode()).hexdigest()
        statements.append(
            (
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [row["reason"], prev, forged, row["seq"]],
            )
        )
        prev = forged
    statements.append(("UPDATE audit_chainhead SET last_hash = %s", [prev]))
    _as_dba(*statements)
    problems = _verify_fails()
    assert problems.count("content does not match its hash") == 4


def test_a_row_rewritten_with_a_guessed_key_fails(settings):
    events = _events(2)
    wrong = b"not-the-key-not-the-key-not-the-key"
    row = AuditEvent.objects.values("seq", "prev_hash", *FIELDS).get(seq=events[1].seq)
    row["reason"] = "x"
    forged = event_hash(row["prev_hash"], row, key=wrong)
    _as_dba(
        (
            "UPDATE audit_auditevent SET reason = 'x', hash = %s WHERE seq = %s",
            [forged, row["seq"]],
        ),
        ("UPDATE audit_chainhead SET last_hash = %s", [forged]),
    )
    assert _verify_fails() == ["content does not match its hash"]


def test_a_forged_checkpoint_fails():
    _events(2)
    path = audit_checkpoint_write()
    document = json.loads(path.read_text())
    document["count"] = 1
    path.write_text(json.dumps(document))
    assert _verify_fails() == ["checkpoint signature is not valid"]


def test_keys_rotate_old_events_still_verify(settings):
    _events(2)
    audit_checkpoint_write()
    settings.AUDIT_KEYS = ["k2:" + "n" * 40, *settings.AUDIT_KEYS]
    _events(2)
    assert {e.key_id for e in AuditEvent.objects.all()} == {"dev", "k2"}
    call_command("audit", "verify", verbosity=0)
    settings.AUDIT_KEYS = settings.AUDIT_KEYS[:1]  # the retired key dropped too early
    assert "signed with an unknown key" in _verify_fails()


def test_checkpoint_command_writes_a_new_file_each_time(checkpoints: Path):
    _events(1)
    call_command("audit", "checkpoint", verbosity=0)
    call_command("audit", "checkpoint", verbosity=0)
    assert len(list(checkpoints.glob("checkpoint-*.json"))) == 2


def test_the_scheduler_runs_the_checkpoint():
    from vib.audit import tasks
    from vib.audit.schedule import JOBS

    assert [job.task for job in JOBS] == ["vib.audit.tasks.checkpoint"]
    _events(1)
    assert tasks.checkpoint.call().startswith("checkpoint-")


@pytest.mark.skipif(not POSTGRESQL, reason="the triggers are PostgreSQL's")
def test_postgresql_refuses_truncate_and_head_tampering():
    events = _events(3)
    for sql, params in (
        ("TRUNCATE audit_auditevent", []),
        ("TRUNCATE audit_chainhead", []),
        ("DELETE FROM audit_chainhead", []),
        ("UPDATE audit_chainhead SET last_seq = %s", [events[1].seq]),
    ):
        with transaction.atomic(), connection.cursor() as cursor:
            # As outside a test database, where TRUNCATE is always refused:
            cursor.execute("SET LOCAL vib.audit_refuse_truncate = 'on'")
            with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
                cursor.execute(sql, params)
    assert AuditEvent.objects.count() == 3
    assert ChainHead.objects.get().last_seq == events[2].seq


@pytest.mark.skipif(not POSTGRESQL, reason="TRUNCATE is PostgreSQL's")
def test_a_truncated_table_fails_on_postgresql():
    _events(3)
    audit_checkpoint_write()
    _as_dba(("TRUNCATE audit_auditevent, audit_chainhead", []))
    assert "an event a checkpoint recorded is missing" in _verify_fails()


def _unkeyed_chain(n: int) -> None:
    """Events as the chain before ADR 0093 stored them: plain SHA-256, no key id."""
    from vib.audit.chain import GENESIS, unkeyed_event_hash

    _events(n)
    statements: list[tuple[str, list]] = [("UPDATE audit_auditevent SET hash = '~' || seq", [])]
    prev = GENESIS
    for row in AuditEvent.objects.order_by("seq").values("seq", *FIELDS):
        new = unkeyed_event_hash(prev, row)
        statements.append(
            (
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = '' WHERE seq = %s",
                [prev, new, row["seq"]],
            )
        )
        prev = new
    statements.append(("UPDATE audit_chainhead SET last_hash = %s", [prev]))
    _as_dba(*statements)


def _resign() -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    migration = importlib.import_module("vib.audit.migrations.0003_keyed_chain")
    editor = SimpleNamespace(connection=connection)  # all the data migration uses of it
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("ALTER TABLE audit_chainhead DISABLE TRIGGER USER")
        migration.resign_existing_events(apps, editor)
        if POSTGRESQL:
            cursor.execute("ALTER TABLE audit_chainhead ENABLE TRIGGER USER")


def test_the_upgrade_signs_an_intact_unkeyed_chain():
    _unkeyed_chain(3)
    assert "signed with an unknown key" in [p.message for p in audit_chain_problems()]
    _resign()
    assert list(audit_chain_problems()) == []


def test_the_upgrade_refuses_to_sign_a_broken_unkeyed_chain():
    _unkeyed_chain(3)
    _as_dba(
        (
            "UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s",
            [AuditEvent.objects.order_by("seq").values_list("seq", flat=True)[0]],
        )
    )
    with pytest.raises(RuntimeError, match="broken"):
        _resign()


@pytest.mark.parametrize(
    "keys",
    [(), ("no-colon-" + "x" * 40,), ("k1:short",), ("k1:" + "x" * 40, "k1:" + "y" * 40)],
)
def test_malformed_keys_stop_the_start(keys):
    from django.core.exceptions import ImproperlyConfigured

    from vib.audit.chain import parse_keys

    with pytest.raises(ImproperlyConfigured, match="VIB_AUDIT_KEYS"):
        parse_keys(keys)
