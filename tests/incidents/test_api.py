"""``/api/v1/incidenten``: create, list with filters, read, update through the workflow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from vib.incidents.models import AftercareStep, Incident

from .conftest import report

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidenten"


def _token(user) -> APIClient:
    from vib.accounts.services import api_token_create

    _token, secret = api_token_create(
        owner=user, name="test", scopes=["incidents:read", "incidents:write"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def _body(**extra):
    body = {
        "datumTijd": (timezone.now() - timedelta(hours=1)).isoformat(),
        "soorten": ["bedreiging", "intimidatie"],
        "kanaal": "sociale_media",
        "platform": "x",
        "plaats": "online",
        "ernst": "zeer_ernstig",
        "omschrijving": "Dreigende berichten na het debat.",
        "slachtofferGroep": "bestuurder",
    }
    body.update(extra)
    return body


def test_create_and_read_as_reporter(world):
    a = world["a"]
    employee = _token(a.people["wethouder"])
    response = employee.post(URL, _body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["API-Version"]
    assert data["status"] == "gemeld"
    assert data["referentie"].startswith("AG-")
    assert response["Location"] == f"{URL}/{data['id']}"
    incident = Incident.objects.get(pk=data["id"])
    assert incident.victim_groups
    assert incident.person == a.people["wethouder"]
    assert AftercareStep.objects.filter(incident=incident).count() == 1
    detail = employee.get(response["Location"]).json()
    assert detail["soorten"] == ["bedreiging", "intimidatie"]
    assert detail["behandelaar"] is False
    assert "slachtofferGroepen" not in detail
    assert "eenheid" not in detail  # handler-only fields
    assert [entry["status"] for entry in detail["statusgeschiedenis"]] == ["gemeld"]
    assert "toelichting" not in detail["statusgeschiedenis"][0]


def test_validation_errors_name_the_api_properties(world):
    client = _token(world["a"].people["employee"])
    response = client.post(URL, _body(soorten=["verbaal"], kanaal="telefoon"), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert names == {"platform"}
    response = client.post(URL, _body(soorten=["nee"], ernst="?"), format="json")
    assert {p["name"] for p in response.json()["invalidParams"]} >= {"soorten.0", "ernst"}
    response = client.post(URL, _body(organisatie=str(world["b"].organisation.pk)), format="json")
    assert [p["name"] for p in response.json()["invalidParams"]] == ["organisatie"]
    assert not Incident.objects.exists()


def test_handlers_list_filter_update_and_move_through_the_workflow(world):
    a = world["a"]
    online = report(a, channel="sociale_media", platform="x", place_kind="online")
    counter = report(a, types=["fysiek"], severity="zeer_ernstig")
    coordinator = _token(a.people["coordinator"])
    listing = coordinator.get(URL).json()
    assert listing["count"] == 2
    assert {row["id"] for row in listing["results"]} == {str(online.pk), str(counter.pk)}
    assert all(row["behandelaar"] for row in listing["results"])
    assert [
        r["id"] for r in coordinator.get(URL, {"kanaal": "sociale_media"}).json()["results"]
    ] == [str(online.pk)]
    assert [r["id"] for r in coordinator.get(URL, {"soort": "fysiek"}).json()["results"]] == [
        str(counter.pk)
    ]
    assert coordinator.get(URL, {"zoek": counter.reference}).json()["count"] == 1
    assert coordinator.get(URL, {"nazorg": "verlopen"}).json()["count"] == 0
    bad = coordinator.get(URL, {"kanaal": "duif"})
    assert bad.status_code == 400
    assert bad.json()["invalidParams"][0]["name"] == "kanaal"

    response = coordinator.patch(
        f"{URL}/{counter.pk}", {"schadeEuro": "250.00", "ernst": "ernstig"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["schadeEuro"] == "250.00"
    assert response.json()["ernst"] == "ernstig"

    response = coordinator.post(
        f"{URL}/{counter.pk}/statuswijzigingen",
        {"status": "in_behandeling", "toelichting": "Opgepakt"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "in_behandeling"
    refused = coordinator.post(
        f"{URL}/{counter.pk}/statuswijzigingen", {"status": "gemeld"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["invalidParams"][0]["name"] == "status"
    detail = coordinator.get(f"{URL}/{counter.pk}").json()
    assert detail["statusgeschiedenis"][-1]["toelichting"] == "Opgepakt"


def test_reporters_cannot_update_and_other_organisations_see_nothing(world):
    a, b = world["a"], world["b"]
    incident = report(a)
    own = _token(a.people["employee"])
    assert own.get(f"{URL}/{incident.pk}").status_code == 200
    assert own.patch(f"{URL}/{incident.pk}", {"ernst": "ernstig"}, format="json").status_code == 404
    assert (
        own.post(
            f"{URL}/{incident.pk}/statuswijzigingen", {"status": "afgesloten"}, format="json"
        ).status_code
        == 404
    )
    for outsider in (b.people["coordinator"], a.people["integrity"], world["analyst"]):
        client = _token(outsider)
        assert client.get(f"{URL}/{incident.pk}").status_code == 404
        assert client.get(URL).json()["count"] == 0
        assert client.get(URL, {"zoek": incident.reference}).json()["count"] == 0
        assert (
            client.patch(f"{URL}/{incident.pk}", {"ernst": "ernstig"}, format="json").status_code
            == 404
        )
    missing = _token(b.people["coordinator"]).get(f"{URL}/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404


def test_the_list_needs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = world["a"]
    coordinator = _token(a.people["coordinator"])
    report(a)
    coordinator.get(URL)
    with CaptureQueriesContext(connection) as few:
        coordinator.get(URL, {"pageSize": 50})
    for _ in range(60):
        report(a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = coordinator.get(URL, {"pageSize": 50})
    assert len(response.json()["results"]) == 50
