"""No one grants themselves access (issue #15, item 2; docs/authorization.md, principle 6).

Before: a platform admin added ``integrity_officer`` at a ministry to themselves through
/beheer/accounts/roleassignment/add/, after which /integriteit/zaken answered 200; the grant
reached only Django's editable admin log, and role capabilities could be edited the same way.
"""

from __future__ import annotations

import pytest

from vib.accounts import services
from vib.accounts.models import (
    GrantStatus,
    Role,
    RoleAssignment,
    RoleCapability,
    RoleGrantRequest,
    User,
)
from vib.accounts.selectors import has_capability
from vib.accounts.services import role_assign, user_create
from vib.audit.models import AuditEvent
from vib.audit.selectors import audit_chain_problems
from vib.core.errors import ValidationError
from vib.organisations.models import Organisation

PASSWORD = "een lange wachtzin voor de beheerder"


@pytest.fixture
def world(db):
    from datetime import date

    ministry = Organisation.objects.create(
        code="MIN99",
        name="Ministerie van Proeven",
        tier="ministerie",
        reference_date=date(2026, 1, 1),
    )
    admin = user_create(email="fb@min.example", full_name="Fien Beheer", password=PASSWORD)
    role_assign(user=admin, role="org_admin", organisation=ministry)
    employee = user_create(email="em@min.example", full_name="Emma Medewerker", password=PASSWORD)
    role_assign(user=employee, role="reporter", organisation=ministry)
    staff = user_create(
        email="pb@platform.example", full_name="Piet Platform", password=PASSWORD, is_staff=True
    )
    staff.is_superuser = True  # as the demo's platform admin
    staff.save(update_fields=["is_superuser"])
    role_assign(user=staff, role="platform_admin", organisation=None)
    second_staff = user_create(
        email="p2@platform.example", full_name="Paula Platform", password=PASSWORD, is_staff=True
    )
    return type(
        "World",
        (),
        {
            "ministry": ministry,
            "admin": admin,
            "employee": employee,
            "staff": staff,
            "second_staff": second_staff,
        },
    )


def _events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("seq"))


def test_platform_admin_cannot_grant_itself_a_case_role_through_beheer(client, world):
    client.force_login(world.staff)
    response = client.post(
        "/beheer/accounts/roleassignment/add/",
        {
            "user": str(world.staff.pk),
            "role": "integrity_officer",
            "organisation": str(world.ministry.pk),
            "function": "",
        },
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert "Niemand kan zichzelf een rol toekennen." in response.content.decode()
    assert not RoleAssignment.objects.filter(user=world.staff, role="integrity_officer").exists()
    assert not RoleGrantRequest.objects.exists()
    assert client.get("/integriteit/zaken").status_code == 404
    assert not has_capability(world.staff, "integrity.view_case_list", world.ministry)


def test_a_confidential_grant_by_a_platform_admin_waits_for_the_organisations_admin(client, world):
    client.force_login(world.staff)
    response = client.post(
        "/beheer/accounts/roleassignment/add/",
        {
            "user": str(world.employee.pk),
            "role": "integrity_officer",
            "organisation": str(world.ministry.pk),
            "function": "",
        },
    )
    assert response.status_code == 302
    grant = RoleGrantRequest.objects.get()
    assert (grant.status, grant.requested_by, grant.user) == (
        GrantStatus.PENDING,
        world.staff,
        world.employee,
    )
    assert not has_capability(world.employee, "integrity.view_case_list", world.ministry)
    assert _events(object_type="accounts.rolegrantrequest", actor_id=str(world.staff.pk))

    # The platform admin cannot approve their own request, nor can another platform admin
    # approve a role within an organisation.
    for person in (world.staff, world.second_staff, world.employee):
        with pytest.raises(ValidationError):
            services.role_grant_approve(actor=person, grant=grant)

    # The ministry's own administrator sees it under access management and approves it.
    client.force_login(world.admin)
    page = client.get("/beheer-toegang/").content.decode()
    assert "Emma Medewerker" in page
    assert "Piet Platform" in page
    response = client.post(f"/beheer-toegang/toekenningen/{grant.pk}", {"decision": "approve"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (GrantStatus.APPROVED, world.admin)
    assert has_capability(world.employee, "integrity.view_case_list", world.ministry)
    granted = _events(object_type="accounts.roleassignment", actor_id=str(world.admin.pk))
    assert granted
    assert "approved request" in granted[-1].reason
    assert list(audit_chain_problems()) == []
    # Decided once only (a double click, a replay).
    response = client.post(f"/beheer-toegang/toekenningen/{grant.pk}", {"decision": "reject"})
    assert response.status_code == 404


def test_another_organisations_admin_cannot_decide(client, world):
    from datetime import date

    other = Organisation.objects.create(
        code="MIN98", name="Ander Ministerie", tier="ministerie", reference_date=date(2026, 1, 1)
    )
    outsider = user_create(email="fb@ander.example", full_name="Otto Ander", password=PASSWORD)
    role_assign(user=outsider, role="org_admin", organisation=other)
    grant = services.role_grant(
        actor=world.staff,
        user=world.employee,
        role="integrity_officer",
        organisation=world.ministry,
    )
    client.force_login(outsider)
    assert (
        client.post(f"/beheer-toegang/toekenningen/{grant.pk}", {"decision": "approve"}).status_code
        == 404
    )
    with pytest.raises(ValidationError):
        services.role_grant_approve(actor=outsider, grant=grant)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING


def test_the_organisations_admin_grants_at_once_but_never_to_themselves(world):
    assignment = services.role_grant(
        actor=world.admin, user=world.employee, role="hr", organisation=world.ministry
    )
    assert isinstance(assignment, RoleAssignment)
    assert _events(object_type="accounts.roleassignment", object_id=str(assignment.pk))
    with pytest.raises(ValidationError):
        services.role_grant(
            actor=world.admin,
            user=world.admin,
            role="integrity_officer",
            organisation=world.ministry,
        )
    refused = _events(action="denied", actor_id=str(world.admin.pk))
    assert refused
    assert "refused" in refused[-1].reason
    with pytest.raises(ValidationError):  # nor may an employee grant anything
        services.role_grant(
            actor=world.employee, user=world.admin, role="reporter", organisation=world.ministry
        )


def test_a_role_that_opens_nothing_confidential_is_granted_at_once(world):
    other = user_create(email="x@min.example", full_name="Xander", password=PASSWORD)
    assignment = services.role_grant(
        actor=world.staff, user=other, role="reporter", organisation=world.ministry
    )
    assert isinstance(assignment, RoleAssignment)


def test_every_grant_is_in_the_audit_chain(world):
    before = AuditEvent.objects.count()
    assignment = role_assign(user=world.employee, role="hr", organisation=world.ministry)
    event = AuditEvent.objects.get(seq__gt=0, object_id=str(assignment.pk))
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "create"
    assert event.object_type == "accounts.roleassignment"
    services.role_assignment_end(actor=world.admin, assignment=assignment)
    assert not has_capability(world.employee, "incidents.handle", world.ministry)
    assert AuditEvent.objects.filter(object_id=str(assignment.pk)).count() == 2
    # Granted again later: the ended row is reopened, not duplicated.
    again = services.role_grant(
        actor=world.admin, user=world.employee, role="hr", organisation=world.ministry
    )
    assert again.pk == assignment.pk
    assert again.valid_until is None


def test_capabilities_a_confidential_one_waits_for_another_platform_admin(world):
    grant = services.role_capability_add(
        actor=world.second_staff, role="reporter", capability="integrity.view_case_list"
    )
    assert isinstance(grant, RoleGrantRequest)
    assert not RoleCapability.objects.filter(
        role="reporter", capability="integrity.view_case_list"
    ).exists()
    with pytest.raises(ValidationError):
        services.role_grant_approve(actor=world.second_staff, grant=grant)  # the requester
    services.role_grant_approve(actor=world.staff, grant=grant)
    assert RoleCapability.objects.filter(
        role="reporter", capability="integrity.view_case_list"
    ).exists()
    assert _events(object_type="accounts.role", object_id="reporter")
    services.role_capability_remove(
        actor=world.staff, role="reporter", capability="integrity.view_case_list"
    )
    assert AuditEvent.objects.filter(object_id="reporter", reason__contains="removed").exists()


def test_nobody_widens_a_role_they_hold(world):
    grant = services.role_capability_add(
        actor=world.second_staff, role="platform_admin", capability="integrity.handle_cases"
    )
    with pytest.raises(ValidationError):
        services.role_grant_approve(actor=world.staff, grant=grant)  # holds platform_admin


def test_beheer_shows_roles_read_only_and_cannot_add_capabilities(client, world):
    before = _capabilities("reporter")
    client.force_login(world.staff)
    page = client.get("/beheer/accounts/role/reporter/change/").content.decode()
    assert 'name="capabilities-0-capability"' not in page  # shown, not editable
    assert 'name="name_nl"' not in page
    client.post(
        "/beheer/accounts/role/reporter/change/",
        {
            "name_nl": "Iets anders",
            "requires_second_factor": "on",
            "capabilities-TOTAL_FORMS": "1",
            "capabilities-INITIAL_FORMS": "0",
            "capabilities-0-capability": "integrity.view_case_list",
        },
    )
    reporter = Role.objects.get(code="reporter")
    assert reporter.name_nl != "Iets anders"
    assert not reporter.requires_second_factor
    assert _capabilities("reporter") == before


def _capabilities(code: str) -> set[str]:
    return set(RoleCapability.objects.filter(role=code).values_list("capability", flat=True))


def test_beheer_cannot_make_anyone_a_platform_admin_or_superuser(client, world):
    client.force_login(world.staff)
    response = client.post(
        f"/beheer/accounts/user/{world.employee.pk}/change/",
        {
            "email": world.employee.email,
            "full_name": "Emma M.",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    employee = User.objects.get(pk=world.employee.pk)
    assert (employee.full_name, employee.is_staff, employee.is_superuser) == (
        "Emma M.",
        False,
        False,
    )
    assert AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(employee.pk), reason="changed: full_name"
    ).exists()
