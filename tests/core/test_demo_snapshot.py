"""The demo put back from a snapshot is the database the real build made (ADR 0147)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from tests import demo_snapshot
from tests.demo_snapshot import Parts, Snapshot, read, tables
from tests.support.conftest import PARTS as SUPPORT_PARTS

from vib.audit.models import Action
from vib.audit.selectors import audit_chain_problems
from vib.audit.services import audit_record
from vib.core.demo import DemoContext, build_demo
from vib.organisations.services import unit_create


def _database() -> dict[str, Any]:
    """Every row of every table, by primary key; and the row count of every other table."""
    rows: dict[str, Any] = {
        table.name: {pk: demo_snapshot.comparable(row) for pk, row in read(table)[1].items()}
        for table in tables()
    }
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names(cursor):
            if name not in rows:
                cursor.execute(f"SELECT COUNT(*) FROM {qn(name)}")  # noqa: S608 - a table
                rows[name] = cursor.fetchone()[0]
    return rows


def _same_context(restored: DemoContext, built: DemoContext) -> None:
    assert restored is not built
    assert (restored.scale, restored.seed) == (built.scale, built.seed)
    assert restored.logins == built.logins
    assert restored.rng.getstate() == built.rng.getstate()
    assert {k: repr(v) for k, v in restored.shared.items()} == {
        k: repr(v) for k, v in built.shared.items()
    }
    assert restored.shared["users"].keys() == built.shared["users"].keys()
    for key, user in built.shared["users"].items():
        assert restored.shared["users"][key].pk == user.pk


@pytest.mark.django_db
@pytest.mark.parametrize("parts", [None, SUPPORT_PARTS], ids=["whole", "support's parts"])
def test_a_restored_demo_is_the_database_the_real_build_made(parts: Parts) -> None:
    with transaction.atomic():
        built_context, snapshot = Snapshot.take(parts)
        built = _database()
        assert not list(audit_chain_problems())
        transaction.set_rollback(True)
    assert snapshot is not None
    assert snapshot.added
    assert not snapshot.changed  # the migrated database has no audit chain head
    for _ in range(2):  # the second time after a "test" changed the database and the context
        with transaction.atomic():
            restored = snapshot.restore()
            assert _database() == built
            assert not list(audit_chain_problems())
            call_command("audit", "verify", verbosity=0)
            _same_context(restored, built_context)
            # What a test may do: write through the ORM (the sequences must be past the
            # restored rows), extend the audit chain, change the context's objects.
            tenant = restored.shared["tenants"]["a"]
            unit_create(organisation=tenant, name="Afdeling snapshot")
            audit_record(actor=None, action=Action.READ, object_type="x.y", object_id="1")
            assert not list(audit_chain_problems())
            tenant.name = "changed"
            restored.logins.clear()
            restored.rng.random()
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_shared_snapshot_gives_what_a_real_build_gives() -> None:
    sizes = []
    for make in (demo_snapshot.demo, demo_snapshot.demo, lambda: build_demo(scale="small")):
        with transaction.atomic():
            make()  # the first may be the real build of this process, the second is not
            sizes.append(demo_snapshot.counts())
            transaction.set_rollback(True)
    assert sizes[0] == sizes[1] == sizes[2]
    assert sizes[0]["incidents_incident"] > 0


@pytest.mark.django_db
def test_a_changed_chain_head_is_noticed() -> None:
    """A snapshot taken where the demo moved an existing chain head forward restores only on a
    database whose head is where it was; otherwise the demo is built for real."""
    audit_record(actor=None, action=Action.READ, object_type="x.y", object_id="0")
    with transaction.atomic():
        # A partial demo (support's) writes to the audit chain as the whole one does.
        _, snapshot = Snapshot.take(SUPPORT_PARTS)
        built = _database()
        transaction.set_rollback(True)
    assert snapshot is not None
    assert [t.name for t in snapshot.changed] == ["audit_chainhead"]
    assert snapshot.fits()
    with transaction.atomic():
        snapshot.restore()
        assert _database() == built
        assert not list(audit_chain_problems())
        transaction.set_rollback(True)
    audit_record(actor=None, action=Action.READ, object_type="x.y", object_id="1")
    assert not snapshot.fits()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2])
def test_a_committed_demo_is_emptied_and_restored_between_tests(run: int) -> None:
    """Transactional tests (the live server's) get the demo committed; the flush after each and
    the next restore leave nothing of the test behind."""
    from vib.organisations.models import Unit

    ctx = demo_snapshot.demo()
    assert not Unit.objects.filter(name="Afdeling van een test").exists()
    assert not list(audit_chain_problems())
    unit_create(organisation=ctx.shared["tenants"]["a"], name="Afdeling van een test")
