"""The small demo, built once per test process and put back as rows afterwards (ADR 0147).

``build_demo(scale="small")`` takes 1.3 s on a quiet machine and 2.5 s under load, and the
suite asked for it about 40 times. ``demo()`` builds it for real the first time, notes the
rows it added and the pre-existing rows it changed (raw SQL, every table of every model,
including the automatic many-to-many tables), and later inserts the very same rows in one
transaction: a copy of the database the real build made, primary keys, timestamps, stored
ciphertext and the audit hash chain included. It returns an unpickled copy of the
``DemoContext`` as it was after the build (model instances, logins, the state of ``rng``), so
a test that changes it changes only its own copy.

A snapshot only fits the database it was taken on. Snapshots are kept per set of demo parts
(``demo(parts)``: the whole demo, or only some builders) and per "baseline" (the
number of rows in every table before the build, e.g. the migrated data alone), and a pre-
existing row the demo changed (the audit chain head, if there was one) must still hold what it
held then; otherwise the demo is built for real. Foreign keys are deferred in Django's schema
on both backends, so the order of the inserts does not matter. On PostgreSQL the sequences are
reset afterwards, and jsonb values, which psycopg returns as Python objects, are wrapped again.
The append-only triggers refuse UPDATE and DELETE, not INSERT; the chain head may be moved
forward.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from vib.core.demo import DemoContext, build_demo

Rows = dict[Any, tuple[Any, ...]]  # primary key → the row, in the order of its columns


@dataclass(frozen=True)
class Table:
    name: str
    pk: str


def tables() -> list[Table]:
    """Every table of a model (once), the automatic many-to-many tables included."""
    seen: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in seen:
            assert meta.pk.column, f"{meta.db_table}: a composite primary key is not handled"
            seen[meta.db_table] = Table(meta.db_table, meta.pk.column)
    return list(seen.values())


def read(table: Table) -> tuple[list[str], Rows]:
    """The columns and every row of ``table``, by primary key, values as the driver gives them."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {qn(table.name)}")  # noqa: S608 - a model's table
        columns = [column[0] for column in cursor.description]
        index = columns.index(table.pk)
        return columns, {row[index]: _adapt(cursor.description, row) for row in cursor.fetchall()}


def _adapt(description: Any, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values that psycopg would not send back as they came. Django's connection reads json and
    jsonb as text (JSONField decodes it), which goes back in as it is; a json value read as a
    Python object (a list, a dict) is wrapped, or psycopg would refuse it or store an array."""
    if connection.vendor != "postgresql":
        return row
    from psycopg.types.json import Json, Jsonb

    wrap = {114: Json, 3802: Jsonb}  # the type OIDs of json and jsonb
    return tuple(
        wrap[column[1]](value) if column[1] in wrap and not isinstance(value, str | None) else value
        for column, value in zip(description, row, strict=True)
    )


def counts() -> dict[str, int]:
    """Rows per table, in one query."""
    qn = connection.ops.quote_name
    names = [table.name for table in tables()]
    sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*) FROM {qn(name)}"  # noqa: S608 - the models' tables
        for i, name in enumerate(names)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {names[i]: n for i, n in cursor.fetchall()}


@dataclass
class Snapshot:
    """What one real build did to the database it found, and the context it returned."""

    context: bytes  # the pickled DemoContext
    added: dict[Table, tuple[list[str], Rows]] = field(default_factory=dict)
    # Pre-existing rows the demo changed: (columns, before, after).
    changed: dict[Table, tuple[list[str], Rows, Rows]] = field(default_factory=dict)

    @classmethod
    def take(cls, parts: Parts = None) -> tuple[DemoContext, Snapshot | None]:
        """Build the demo for real and note what it did (None if it deleted a row: not kept)."""
        before = {table: read(table) for table in tables()}
        ctx = build_demo(scale="small", parts=parts)
        snapshot = cls(context=pickle.dumps(ctx))
        for table, (columns, old) in before.items():
            _, new = read(table)
            if old.keys() - new.keys():
                return ctx, None
            if added := {pk: row for pk, row in new.items() if pk not in old}:
                snapshot.added[table] = (columns, added)
            if changed := [pk for pk, row in old.items() if comparable(row) != comparable(new[pk])]:
                snapshot.changed[table] = (
                    columns,
                    {pk: old[pk] for pk in changed},
                    {pk: new[pk] for pk in changed},
                )
        return ctx, snapshot

    def fits(self) -> bool:
        """The rows the demo changed still hold what they held before the real build."""
        for table, (_, before, _after) in self.changed.items():
            _, now = read(table)
            if any(pk not in now or comparable(now[pk]) != comparable(before[pk]) for pk in before):
                return False
        return True

    def restore(self) -> DemoContext:
        """Put the rows back, in one transaction; a fresh copy of the context."""
        qn = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for table, (columns, rows) in self.added.items():
                names = ", ".join(qn(c) for c in columns)
                params = ", ".join(["%s"] * len(columns))
                insert = f"INSERT INTO {qn(table.name)} ({names}) VALUES ({params})"  # noqa: S608
                cursor.executemany(insert, list(rows.values()))
            for table, (columns, _, after) in self.changed.items():
                sets = ", ".join(f"{qn(c)} = %s" for c in columns)
                update = f"UPDATE {qn(table.name)} SET {sets} WHERE {qn(table.pk)} = %s"  # noqa: S608
                for pk, row in after.items():
                    cursor.execute(update, [*row, pk])
            filled = {table.name for table in self.added}
            models = [
                m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in filled
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        return pickle.loads(self.context)  # noqa: S301 - pickled by this process


def comparable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row comparable by value (psycopg's Json wrappers compare by identity)."""
    return tuple(getattr(value, "obj", value) for value in row)


# The demo's parts to build, by app label (``vib.core.demo.build_demo``); None: all of them.
Parts = tuple[str, ...] | None


# Per test process: the snapshot for each set of parts and baseline (rows per table before).
_SNAPSHOTS: dict[tuple[Parts, tuple[tuple[str, int], ...]], Snapshot | None] = {}


def demo(parts: Parts = None) -> DemoContext:
    """The small demo in the current database, as ``build_demo(scale="small", parts=parts)``
    would make it: the whole demo or only some of its parts."""
    key = (parts, tuple(sorted(counts().items())))
    if key not in _SNAPSHOTS:
        with transaction.atomic():
            ctx, _SNAPSHOTS[key] = Snapshot.take(parts)
        return ctx
    snapshot = _SNAPSHOTS[key]
    if snapshot is None or not snapshot.fits():
        return build_demo(scale="small", parts=parts)
    return snapshot.restore()
