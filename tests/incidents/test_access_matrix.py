"""The access matrix of incident registration: every demo role x every action x an incident of
its own organisation and one of another, through the web and the API.

What a person may do follows from the capabilities of their current roles in the incident's
organisation (``incidents.handle`` for the record, ``incidents.export``, ...), plus the
reporter's own report; every other answer is the same 404 as for an incident that does not exist.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vib.accounts.models import User
from vib.accounts.roles import SECTOR_AGGREGATES
from vib.accounts.selectors import has_capability, organisations_of
from vib.incidents import capabilities, services
from vib.incidents.models import EvidenceFile, Incident

from .conftest import PNG

pytestmark = pytest.mark.django_db


def _status(allowed: bool) -> int:
    return 200 if allowed else 404


@pytest.fixture
def matrix(demo):
    tenants, users = demo.shared["tenants"], demo.shared["users"]
    employee = users["medewerker"]
    own = Incident.objects.get(organisation=tenants["a"], reported_by=employee, person=employee)
    services.evidence_add(
        incident=own, actor=employee, files=[SimpleUploadedFile("scherm.png", PNG)]
    )
    other = Incident.objects.filter(organisation=tenants["b"]).order_by("reported_at").first()
    return {
        "incidents": [own, other],
        "evidence": EvidenceFile.objects.get(incident=own),
        "users": list(User.objects.filter(email__endswith="@demo.vib.nl").order_by("email")),
    }


def test_every_role_gets_exactly_what_its_capabilities_allow(matrix, client):
    checked = 0
    for user in matrix["users"]:
        client.force_login(user)
        active = organisations_of(user).first()
        for incident in matrix["incidents"]:
            org = incident.organisation
            handles = has_capability(user, capabilities.HANDLE, org)
            own = user.pk in (incident.reported_by_id, incident.person_id)
            who = (user.email, org.code)
            assert client.get(f"/incidenten/{incident.pk}").status_code == _status(
                handles or own
            ), who
            assert client.get(f"/incidenten/{incident.pk}/gegevens").status_code == _status(
                handles
            ), who
            api = client.get(f"/api/v1/incidenten/{incident.pk}")
            assert api.status_code == _status(handles or own), who
            if api.status_code == 200:
                assert api.json()["behandelaar"] is handles
            else:
                assert api["Content-Type"] == "application/problem+json"
            patch = client.patch(
                f"/api/v1/incidenten/{incident.pk}",
                {"ernst": incident.severity},
                content_type="application/json",
            )
            assert patch.status_code == _status(handles), who
            listed = client.get("/api/v1/incidenten", {"zoek": incident.reference}).json()
            assert listed["count"] == (1 if handles or own else 0), who
            checked += 5
        evidence = matrix["evidence"]
        may_file = has_capability(user, capabilities.HANDLE, evidence.organisation) or (
            user.pk == evidence.uploaded_by_id
        )
        response = client.get(f"/incidenten/bewijs/{evidence.pk}")
        assert response.status_code == _status(may_file), user.email
        # Organisation-level pages follow the capabilities in the active organisation.
        for path, capability in (
            ("/incidenten/dashboard", capabilities.VIEW_STATISTICS),
            ("/incidenten/vergelijking", capabilities.VIEW_STATISTICS),
            ("/incidenten/export?formaat=csv", capabilities.EXPORT),
            ("/incidenten/daderregister", capabilities.COORDINATE),
            ("/incidenten/melden", capabilities.REPORT),
        ):
            allowed = active is not None and has_capability(user, capability, active)
            assert client.get(path).status_code == _status(allowed), (user.email, path)
        sector = has_capability(user, SECTOR_AGGREGATES)
        assert client.get("/incidenten/sector").status_code == _status(sector), user.email
        client.logout()
    assert checked == len(matrix["users"]) * 2 * 5


def test_a_missing_and_a_forbidden_incident_look_the_same(matrix, client, demo):
    _own, other = matrix["incidents"]
    coordinator = demo.shared["users"]["coordinator-ag"]
    client.force_login(coordinator)
    forbidden = client.get(f"/api/v1/incidenten/{other.pk}")
    missing = client.get(f"/api/v1/incidenten/{uuid.uuid4()}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json()["detail"] == missing.json()["detail"]
    web_forbidden = client.get(f"/incidenten/{other.pk}")
    web_missing = client.get(f"/incidenten/{uuid.uuid4()}")
    assert web_forbidden.status_code == web_missing.status_code == 404
    assert other.reference not in client.get("/incidenten/overzicht").content.decode()
