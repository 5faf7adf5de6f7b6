"""Proof that a response cannot be linked to an invitation, a person or a token.

Runs on SQLite and on PostgreSQL (DATABASE_URL). It inspects the real database schema, not
only the models, and checks that row order after closing does not follow answering order.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test import TestCase
from tests.surveys.conftest import NOT_VICTIM, VICTIM, link_tokens

from vib.audit.models import AuditEvent
from vib.surveys.models import Draft, Invitation, Response, Wave, WaveInstrument
from vib.surveys.services import response_submit, wave_close

pytestmark = pytest.mark.django_db

RESPONSE_TABLE = Response._meta.db_table
ALLOWED_TARGETS = {Wave._meta.db_table, WaveInstrument._meta.db_table}
ALLOWED_COLUMNS = {
    "id",
    "wave_id",
    "instrument_id",
    "tier",
    "function",
    "gender",
    "organisation_code",
    "answers",
}
IDENTITY_TABLES = {
    Invitation._meta.db_table,
    Draft._meta.db_table,
    apps.get_model("accounts", "User")._meta.db_table,
    apps.get_model("accounts", "RoleAssignment")._meta.db_table,
    apps.get_model("sessions", "Session")._meta.db_table,
    AuditEvent._meta.db_table,
}
TIME_TYPES = ("date", "time", "timestamp", "interval")


def _foreign_keys(table: str) -> dict[str, str]:
    """Column -> referenced table, from the database's own constraints."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        column: c["foreign_key"][0]
        for c in constraints.values()
        if c["foreign_key"]
        for column in c["columns"]
    }


def _outgoing_closure(table: str) -> set[str]:
    seen, todo = set(), [table]
    while todo:
        current = todo.pop()
        for target in _foreign_keys(current).values():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_response_table_has_only_strata_answers_and_shared_parents():
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, RESPONSE_TABLE)
    columns = {col.name: col for col in description}
    assert set(columns) == ALLOWED_COLUMNS
    foreign = _foreign_keys(RESPONSE_TABLE)
    assert set(foreign.values()) <= ALLOWED_TARGETS
    # No time at all (no timestamp, no date), no request metadata.
    with connection.cursor() as cursor:
        for name in columns:
            field_type = connection.introspection.get_field_type(
                columns[name].type_code, columns[name]
            )
            assert not any(t in field_type.lower() for t in TIME_TYPES), name
    assert not {"ip", "user_agent", "session", "created_at", "updated_at", "submitted_at"} & set(
        columns
    )


def test_no_join_path_leads_from_a_response_to_an_identity():
    """Following foreign keys outwards from responses never reaches invitations or people;
    and no table in the database points at a response."""
    reachable = _outgoing_closure(RESPONSE_TABLE)
    assert not reachable & IDENTITY_TABLES, reachable & IDENTITY_TABLES
    for table in connection.introspection.table_names():
        assert RESPONSE_TABLE not in _foreign_keys(table).values(), table
    # The shared parents (wave, instrument) fan out: many invitations, many responses. They are
    # a cross product within a stratum, never a one-to-one link. Invitations point at them too,
    # so check that no column besides these parents and the strata is shared by name.
    invitation_columns = {f.column for f in Invitation._meta.concrete_fields}
    assert ALLOWED_COLUMNS & invitation_columns == {
        "id",
        "wave_id",
        "instrument_id",
        "tier",
        "function",
        "gender",
    }


def test_the_response_key_is_random_and_has_no_sequence():
    field = Response._meta.pk
    assert field.get_internal_type() == "UUIDField"
    assert field.default.__name__ == "uuid4"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Real sequences only (serial or identity columns).
            assert connection.introspection.get_sequences(cursor, RESPONSE_TABLE) == []
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [RESPONSE_TABLE])
            (ddl,) = cursor.fetchone()
            assert "AUTOINCREMENT" not in ddl.upper()
            assert "integer" not in ddl.split("(", 1)[1].split(",")[0].lower()


def _physical_order() -> list[str]:
    if connection.vendor == "postgresql":
        sql = f"SELECT id::text FROM {RESPONSE_TABLE} ORDER BY ctid"  # noqa: S608 - constant
    else:
        sql = f"SELECT id FROM {RESPONSE_TABLE} ORDER BY rowid"  # noqa: S608 - constant
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = [str(r[0]).replace("-", "") for r in cursor.fetchall()]
    return rows


def _spearman(a: list[int], b: list[int]) -> float:
    n = len(a)
    d2 = sum((x - y) ** 2 for x, y in zip(a, b, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_answering_leaves_no_trace_that_links_back(open_wave, researcher, mailoutbox):
    tokens = link_tokens(mailoutbox)
    invitations = {i.email: i for i in Invitation.objects.filter(wave=open_wave)}
    order: list[str] = []
    audit_before = AuditEvent.objects.count()
    for n, (email, token) in enumerate(sorted(tokens.items())):
        if invitations[email].instrument.code != "office_holders":
            continue
        before = set(Response.objects.values_list("id", flat=True))
        response_submit(token=token, answers=VICTIM if n % 2 else NOT_VICTIM)
        (new,) = set(Response.objects.values_list("id", flat=True)) - before
        order.append(new.hex)
    # Answering writes no audit event (it would carry the time and the invitation).
    assert AuditEvent.objects.count() == audit_before
    # No value of a response equals anything kept about an invitation.
    secrets = set()
    for invitation in Invitation.objects.filter(wave=open_wave):
        secrets |= {
            str(invitation.id),
            invitation.id.hex,
            invitation.token_digest,
            invitation.email,
            invitation.email_digest,
        }
    secrets |= set(tokens.values())
    for response in Response.objects.all():
        values = {str(response.id), response.id.hex, str(response.answers)}
        assert not any(s in v for s in secrets for v in values)
    # Invitations learned only "has responded": no time, the token erased.
    answered = Invitation.objects.filter(wave=open_wave, responded=True)
    assert answered.count() == len(order)
    assert set(answered.values_list("token", flat=True)) == {""}
    assert not Draft.objects.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        wave_close(actor=researcher, wave=open_wave)
    physical = _physical_order()
    assert sorted(physical) == sorted(order)
    rank = {rid: i for i, rid in enumerate(order)}
    rho = _spearman(list(range(len(order))), [rank[r] for r in physical])
    # A random permutation of 30 rows exceeds |rho| 0.7 with probability ~1e-4.
    assert abs(rho) < 0.7, rho


def test_while_in_the_field_new_rows_are_mixed_with_older_ones(open_wave, mailoutbox):
    tokens = sorted(link_tokens(mailoutbox).items())
    office = [t for e, t in tokens if e.startswith("p")]
    for token in office[:20]:
        response_submit(token=token, answers=NOT_VICTIM)
    last_before = _physical_order()
    response_submit(token=office[20], answers=VICTIM)
    after = _physical_order()
    (newest,) = set(after) - set(last_before)
    # The new response is written together with up to 8 older ones, in random order: the rows
    # written last are a batch of 9 in which it cannot be told apart by position.
    tail = after[-9:]
    assert newest in tail
    assert len(set(tail) & set(last_before)) == 8
