"""Nothing identifying in tables or logs: the clear-text identity, report text and receipt
code, the client address and the user agent are searched for in a full database dump and in
every log record written during a submission and a mailbox visit."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from vib.integrity import crypto, services
from vib.integrity.models import Case

from .helpers import open_mailbox, pdf_file, submit

pytestmark = pytest.mark.django_db(transaction=False)

ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (KlokkenluiderTestBrowser 9.9)"
NAME = "Xantippe Zwijgzaam"
EMAIL = "xantippe.zwijgzaam@example.org"
STORY = "Wethouder Quirinus Pieterszoon gunt het contract aan zijn zwager."
FILE_BODY = b"%PDF-1.4 geheim-bewijs-Quirinus"


def database_dump() -> str:
    """Every row of every table, as text (bytes decoded leniently)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("latin-1"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def test_tables_and_logs_hold_no_clear_text_identity_or_code(world, client, all_logs, settings):
    settings.DEBUG = True  # the noisiest configuration: SQL is logged too
    meta = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT}
    response = client.post(
        f"/integriteit/melden/{world.a.id}",
        {
            "case_type": "report",
            "channel": "confidential",
            "summary": STORY,
            "name": NAME,
            "email": EMAIL,
            "phone": "0612345678",
            "files": [pdf_file("quirinus-bewijs.pdf", FILE_BODY)],
        },
        follow=True,  # to the receipt page
        **meta,
    )
    assert response.status_code == 200
    code = response.content.decode().split('data-testid="receipt-code">')[1].split("<")[0]
    client.cookies.clear()
    assert open_mailbox(client, code, **meta).status_code == 302
    client.post("/integriteit/brievenbus/berichten", {"body": "Aanvulling van Xantippe."}, **meta)
    open_mailbox(client, "WRON-GCOD-EWRO-NGCO-DE00", **meta)  # a failed attempt, too

    dump = database_dump()
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.__dict__}" for r in all_logs.records)
    secrets_ = [
        code,
        code.replace("-", ""),
        NAME,
        EMAIL,
        "0612345678",
        STORY,
        "Quirinus",
        "quirinus-bewijs.pdf",
        "Aanvulling van Xantippe",
        ADDRESS,
        AGENT,
        "KlokkenluiderTestBrowser",
    ]
    assert len(dump) > 1000
    assert Case.objects.count() == 1
    for secret in secrets_:
        assert secret not in dump, f"{secret!r} found in the database"
        assert secret not in logs, f"{secret!r} found in the logs"
    # …while the handler can still read everything back.
    case = Case.objects.get()
    assert crypto.open_text(case.organisation_id, "case.summary", case.id, case.summary_ct) == STORY


def test_ciphertexts_are_bound_to_their_row_and_organisation(world):
    case, _code = services.report_submit(organisation=world.a, channel="anonymous", summary=STORY)
    other, _code = services.report_submit(organisation=world.a, channel="anonymous", summary="x")
    with pytest.raises(crypto.DecryptionError):
        crypto.open_text(case.organisation_id, "case.summary", other.id, case.summary_ct)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_text(world.b.id, "case.summary", case.id, case.summary_ct)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_text(case.organisation_id, "message.body", case.id, case.summary_ct)


def test_audit_events_of_reporters_carry_no_actor_or_address(world, client):
    from vib.audit.models import AuditEvent

    submit(client, world.a, REMOTE_ADDR=ADDRESS)
    events = AuditEvent.objects.filter(object_type="integrity.case")
    assert events.exists()
    assert all(e.actor_id == "" and ADDRESS not in e.origin for e in events)
