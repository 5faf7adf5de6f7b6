"""The access matrix: every demo role x every organisation's objects, through web and API.

A user sees an object exactly when one of their current roles *in the object's organisation*
grants the capability; every other answer is the same 404 as for an object that does not exist.
"""

from __future__ import annotations

import uuid

import pytest

from vib.accounts.models import RoleAssignment, User
from vib.accounts.roles import ORG_VIEW_MEMBERS, ORG_VIEW_UNITS
from vib.accounts.selectors import has_capability
from vib.organisations.models import Unit

pytestmark = pytest.mark.django_db


def _samples(demo):
    """One unit and one role assignment of every demo organisation."""
    for organisation in demo.shared["tenants"].values():
        unit = Unit.objects.filter(organisation=organisation).order_by("name").first()
        member = RoleAssignment.objects.filter(organisation=organisation).order_by("id").first()
        yield organisation, unit, member


def test_every_role_sees_exactly_what_its_capabilities_allow(demo, client):
    users = list(User.objects.filter(email__endswith="@demo.vib.nl").order_by("email"))
    assert len(users) >= 20
    samples = list(_samples(demo))
    checked = 0
    for user in users:
        client.force_login(user)
        for organisation, unit, member in samples:
            may_units = has_capability(user, ORG_VIEW_UNITS, organisation)
            may_members = has_capability(user, ORG_VIEW_MEMBERS, organisation)
            web_unit = client.get(f"/organisatie/eenheden/{unit.id}")
            api_units = client.get(f"/api/v1/organisaties/{organisation.id}/eenheden")
            web_member = client.get(f"/organisatie/leden/{member.id}")
            assert web_unit.status_code == (200 if may_units else 404), (user, unit)
            assert api_units.status_code == (200 if may_units else 404), (user, organisation)
            assert web_member.status_code == (200 if may_members else 404), (user, member)
            if not may_units:
                assert api_units["Content-Type"] == "application/problem+json"
            checked += 3
        client.logout()
    assert checked == len(users) * len(samples) * 3


def test_other_organisations_objects_answer_like_missing_ones(demo, client):
    """Organisation A's people get the same answer for B's objects as for no object at all."""
    tenants = demo.shared["tenants"]
    b_unit = Unit.objects.filter(organisation=tenants["b"]).first()
    missing = uuid.uuid4()
    for assignment in RoleAssignment.objects.filter(organisation=tenants["a"]).select_related(
        "user"
    ):
        if RoleAssignment.objects.filter(user=assignment.user, organisation=tenants["b"]).exists():
            continue
        client.force_login(assignment.user)
        forbidden = client.get(f"/organisatie/eenheden/{b_unit.id}")
        absent = client.get(f"/organisatie/eenheden/{missing}")
        assert forbidden.status_code == absent.status_code == 404
        api_forbidden = client.get(f"/api/v1/organisaties/{tenants['b'].id}/eenheden")
        api_absent = client.get(f"/api/v1/organisaties/{missing}/eenheden")
        assert api_forbidden.status_code == api_absent.status_code == 404
        assert api_forbidden.json()["detail"] == api_absent.json()["detail"]


def test_reads_and_refusals_are_audited(demo, client):
    from vib.audit.models import AuditEvent

    tenants = demo.shared["tenants"]
    user = demo.shared["users"]["beheerder"]
    own = Unit.objects.filter(organisation=tenants["a"]).first()
    other = Unit.objects.filter(organisation=tenants["b"]).first()
    client.force_login(user)
    client.get(f"/organisatie/eenheden/{own.id}")
    client.get(f"/organisatie/eenheden/{other.id}")
    events = AuditEvent.objects.filter(actor_id=str(user.id), action="read")
    assert events.filter(object_id=str(own.id), result="ok").exists()
    assert events.filter(object_id=str(other.id), result="denied").exists()
