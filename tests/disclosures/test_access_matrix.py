"""Access matrix of the disclosures module: role x object x own/other organisation, web and API.

Financial interests: the compliance officer of the organisation only (plus the declarant's own
receipt). Side activities: the declarant, the registrar and the assessors. Everyone else —
including every role of another organisation — gets the same 404 as for a missing object.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from vib.audit.models import AuditEvent
from vib.disclosures import services
from vib.disclosures.models import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(town):
    p, org = town.people, town.organisation
    function = services.designated_function_create(
        actor=p["registrar"], organisation=org, name="inkoper", designated_on=date(2020, 1, 1)
    )
    official = services.declarant_create(
        actor=p["registrar"],
        organisation=org,
        user=p["official"],
        name="Olga",
        office=Office.DESIGNATED_OFFICIAL,
        function="inkoper",
        appointed_on=date(2020, 1, 1),
        designated_function=function,
    )
    interest = services.financial_interest_declare(
        actor=p["official"],
        declarant=official,
        kind="shares",
        holder="self",
        occasion="first",
        description="Aandelen Bouw B.V.",
        counterparty="Bouw B.V.",
    )
    activity = services.side_activity_declare(
        actor=p["official"],
        declarant=official,
        role="adviseur",
        body="Bouw B.V.",
        start_date=date(2024, 1, 1),
    )
    return {"interest": interest, "activity": activity}


# Who may see what, by person key of the ``town`` fixture.
INTEREST_READERS = {"compliance", "official"}
ACTIVITY_READERS = {"registrar", "compliance", "manager", "official"}


def test_matrix(town, client, objects):
    interest, activity = objects["interest"], objects["activity"]
    for key, user in town.people.items():
        client.force_login(user)
        web_interest = client.get(f"/nevenwerkzaamheden/financiele-belangen/{interest.id}")
        web_activity = client.get(f"/nevenwerkzaamheden/activiteiten/{activity.id}")
        interest_list = client.get("/nevenwerkzaamheden/financiele-belangen")
        assert web_interest.status_code == (200 if key in INTEREST_READERS else 404), key
        assert web_activity.status_code == (200 if key in ACTIVITY_READERS else 404), key
        compliance_role = key in {"compliance", "other_compliance"}
        assert interest_list.status_code == (200 if compliance_role else 404), key
        if compliance_role:
            assert ("Olga" in interest_list.content.decode()) == (key == "compliance"), key
        if key in INTEREST_READERS:
            assert "Aandelen Bouw B.V." in web_interest.content.decode()
        client.logout()


def test_only_the_compliance_officer_may_assess(town, client, objects):
    interest = objects["interest"]
    url = f"/nevenwerkzaamheden/financiele-belangen/{interest.id}"
    data = {"status": "no_conflict", "note": "Geen raakvlak."}
    client.force_login(town.people["official"])
    assert client.post(url, data).status_code == 404
    client.force_login(town.people["other_compliance"])
    assert client.post(url, data).status_code == 404
    client.force_login(town.people["compliance"])
    assert client.post(url, data).status_code == 302
    interest.refresh_from_db()
    assert interest.status == "no_conflict"


def test_forbidden_answers_like_missing_and_is_audited(town, client, objects):
    interest = objects["interest"]
    client.force_login(town.people["registrar"])
    forbidden = client.get(f"/nevenwerkzaamheden/financiele-belangen/{interest.id}")
    missing = client.get(f"/nevenwerkzaamheden/financiele-belangen/{uuid.uuid4()}")
    assert forbidden.status_code == missing.status_code == 404
    events = AuditEvent.objects.filter(object_id=str(interest.id), action="read")
    assert events.filter(result="denied", actor_id=str(town.people["registrar"].id)).exists()
    client.force_login(town.people["compliance"])
    client.get(f"/nevenwerkzaamheden/financiele-belangen/{interest.id}")
    assert events.filter(result="ok", actor_id=str(town.people["compliance"].id)).exists()


def test_description_is_encrypted_at_rest(objects):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT description FROM disclosures_financialinterest WHERE id = %s",
            [
                objects["interest"].id.hex
                if connection.vendor == "sqlite"
                else objects["interest"].id
            ],
        )
        stored = cursor.fetchone()[0]
    assert "Aandelen" not in stored


def test_api_matrix(town, objects):
    from rest_framework.test import APIClient

    interest, activity = objects["interest"], objects["activity"]
    for key, user in town.people.items():
        client = APIClient()
        client.force_authenticate(user)
        one = client.get(f"/api/v1/financiele-belangen/{interest.id}")
        assert one.status_code == (200 if key in INTEREST_READERS else 404), key
        listed = client.get("/api/v1/financiele-belangen").json()["results"]
        assert bool(listed) == (key in INTEREST_READERS), key
        act = client.get(f"/api/v1/nevenwerkzaamheden/{activity.id}")
        assert act.status_code == (200 if key in ACTIVITY_READERS else 404), key
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/financiele-belangen/{interest.id}").status_code in (401, 403)
