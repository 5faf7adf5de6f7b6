"""The handlers' API, key rotation, and the workflow's refusals."""

from __future__ import annotations

import os

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from vib.core import crypto as master
from vib.integrity import crypto, keys, services
from vib.integrity.models import Case, DataKey
from vib.integrity.selectors import case_summary, conversation

pytestmark = pytest.mark.django_db


def test_api_cases_messages_and_deadlines(world, client):
    case, _code = services.report_submit(organisation=world.a, channel="anonymous", summary="API.")
    other, _code = services.report_submit(organisation=world.b, channel="anonymous", summary="B.")
    client.force_login(world.people["officer_a"])
    listing = client.get("/api/v1/integriteitszaken")
    assert listing.status_code == 200
    ids = [row["id"] for row in listing.json()["results"]]
    assert ids == [str(case.id)]
    detail = client.get(f"/api/v1/integriteitszaken/{case.id}").json()
    assert detail["kenmerk"] == case.reference
    assert {t["soort"] for t in detail["termijnen"]} == {"acknowledgement", "feedback"}
    assert "identity" not in str(detail)
    assert "API." not in str(detail)
    created = client.post(
        f"/api/v1/integriteitszaken/{case.id}/berichten",
        {"tekst": "Vraag via API", "naarMelder": True, "isVraag": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["isVraag"] is True
    messages = client.get(f"/api/v1/integriteitszaken/{case.id}/berichten").json()
    assert [m["tekst"] for m in messages["results"]] == ["Vraag via API"]
    bad = client.post(
        f"/api/v1/integriteitszaken/{case.id}/berichten",
        {"tekst": "", "isVraag": True},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    # A question that is not sent to the reporter is refused by the service.
    refused = client.post(
        f"/api/v1/integriteitszaken/{case.id}/berichten",
        {"tekst": "Vraag?", "isVraag": True},
        content_type="application/json",
    )
    assert refused.status_code == 400
    for url in (f"/api/v1/integriteitszaken/{other.id}", "/api/v1/integriteitszaken/nope"):
        assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/integriteitszaken/{other.id}/termijnen").status_code == 404


def test_master_and_data_key_rotation_keeps_everything_readable(world, settings):
    case, _code = services.report_submit(
        organisation=world.a,
        channel="confidential",
        summary="Voor de rotatie.",
        identity=services.Identity("Naam"),
    )
    officer = world.people["officer_a"]
    services.message_add(case=case, actor=officer, body="Bericht voor de rotatie.")
    old_version = crypto.version_of(Case.objects.get().summary_ct)
    new_master = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_master, *settings.ENCRYPTION_KEYS]
    master._fernet.cache_clear()
    try:
        call_command("keys", "rotate", "--data-keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
        # Only the new master key is needed now.
        settings.ENCRYPTION_KEYS = [new_master]
        master._fernet.cache_clear()
        crypto.clear_cache()
        case = Case.objects.get()
        assert crypto.version_of(case.summary_ct) == old_version + 1
        assert case_summary(case) == "Voor de rotatie."
        assert [m.body for m in conversation(case, audience="team")] == ["Bericht voor de rotatie."]
        assert DataKey.objects.filter(organisation=world.a).count() == 2
        assert keys.reencrypt_organisation(world.a.id) == 0  # nothing left on the old key
    finally:
        master._fernet.cache_clear()
        crypto.clear_cache()


def test_workflow_refuses_skips_and_writes_nothing(world):
    case, _code = services.report_submit(organisation=world.a, channel="anonymous", summary="W.")
    officer = world.people["officer_a"]
    with pytest.raises(services.ValidationError):
        services.case_transition(case=case, actor=officer, target="investigation")
    case = services.case_transition(case=case, actor=officer, target="acknowledged")
    case = services.case_transition(case=case, actor=officer, target="triage")
    with pytest.raises(services.ValidationError):
        services.case_transition(case=case, actor=officer, target="closed")  # no triage outcome
    with pytest.raises(services.ValidationError):
        services.case_classify(case=case, actor=officer, triage="bogus")
    assert Case.objects.get().status == "triage"
    assert Case.objects.get().history.count() == 3
    services.case_forward(case=case, actor=officer, authority="huis")
    case = services.case_transition(case=Case.objects.get(), actor=officer, target="closed")
    assert case.outcome == "no_investigation"
    assert case.retain_until is not None
    told = [m.body for m in conversation(case, audience="reporter")]
    assert any("forwarded" in body or "doorgestuurd" in body for body in told)


def test_oral_report_minutes_are_signed_off_by_the_reporter(world, client):
    officer = world.people["officer_a"]
    client.force_login(officer)
    response = client.post(
        "/integriteit/zaken/nieuw",
        {"case_type": "report", "channel": "anonymous", "minutes": "Gesprek op 3 maart."},
    )
    assert response.status_code == 200
    code = response.content.decode().split('data-testid="receipt-code">')[1].split("<")[0]
    case = Case.objects.get()
    assert case.form == "oral"
    client.logout()
    client.post("/integriteit/brievenbus", {"code": code})
    page = client.get("/integriteit/brievenbus/berichten").content.decode()
    assert "Gesprek op 3 maart." in page
    minutes = case.minutes.get()
    client.post(f"/integriteit/brievenbus/notulen/{minutes.id}")
    minutes.refresh_from_db()
    assert minutes.signed_off_at is not None


def test_receipt_codes_have_enough_entropy_and_normalise():
    from vib.integrity import receipts

    assert receipts.BITS >= 80
    code = receipts.generate()
    assert receipts.normalise(receipts.grouped(code).lower()) == code
    assert receipts.normalise("abc") is None
    assert receipts.verify(code, receipts.slow_hash(code))
    assert not receipts.verify(code, receipts.slow_hash(receipts.generate()))
    assert len({receipts.generate() for _ in range(1000)}) == 1000


def test_receipt_codes_at_the_production_cost(settings):
    """The suite hashes receipt codes cheaply (``RECEIPT_SCRYPT_N`` in the test settings); this
    test pays scrypt's production cost once, as production has no such setting."""
    from vib.integrity import receipts

    del settings.RECEIPT_SCRYPT_N
    code = receipts.generate()
    stored = receipts.slow_hash(code)
    assert stored.startswith("scrypt$16384$8$1$")
    assert receipts.verify(code, stored)
    assert not receipts.verify(receipts.generate(), stored)
