"""Fixtures of the support desk tests.

``sdemo`` holds only the parts of the demo the desk stands on (the registry and tenants, the
people, the desk itself), built once per test process and put back as rows for every later
test (``tests/demo_snapshot.py``); ``demo`` (the whole demo) is used where another module takes
part (the referral to the incident module).
"""

from __future__ import annotations

from typing import Any

import pytest

from vib.accounts.models import User

PARTS = ("organisations", "accounts", "support")


@pytest.fixture
def sdemo(db: None) -> Any:
    from tests import demo_snapshot

    return demo_snapshot.demo(PARTS)


@pytest.fixture
def people(sdemo: Any) -> dict[str, User]:
    return sdemo.shared["users"]


@pytest.fixture
def tenants(sdemo: Any) -> dict[str, Any]:
    return sdemo.shared["tenants"]


class World:
    """A small world for service tests: one municipality in a province, its people, two teams."""

    def __init__(self) -> None:
        from vib.accounts.services import role_assign, user_create
        from vib.organisations.models import Organisation, Tier
        from vib.support import codes, services

        def org(code: str, name: str, tier: str, province: Any = None) -> Organisation:
            return Organisation.objects.create(
                code=code, name=name, tier=tier, province=province, reference_date="2025-01-01"
            )

        self.province = org("PV99", "Provincie Proef", Tier.PROVINCIE)
        self.municipality = org("GM9999", "Proefdorp", Tier.GEMEENTE, self.province)
        self.elsewhere = org("GM9998", "Elders", Tier.GEMEENTE)

        def person(local: str, organisation: Any = None, *roles: str, function: str = "") -> User:
            user = user_create(email=f"{local}@example.org", full_name=local.title())
            for role in roles:
                role_assign(user=user, role=role, organisation=organisation, function=function)
            return user

        self.raadslid = person("raadslid", self.municipality, "reporter", function="raadslid")
        self.wethouder = person("wethouder", self.municipality, "reporter", function="wethouder")
        self.griffier = person("griffier", self.municipality, "reporter", "griffier")
        self.coordinator_ag = person("coordinator", self.municipality, "reporter", "ag_coordinator")
        self.outsider = person("outsider", self.elsewhere, "reporter")
        self.national = services.team_create(
            name="Landelijk", scope=codes.Scope.NATIONAL, phone="070 000 0000"
        )
        self.regional = services.team_create(
            name="Regio Proef",
            scope=codes.Scope.REGIONAL,
            phone="030 000 0000",
            region=self.province,
        )
        self.adviser = person("adviser")
        self.adviser2 = person("adviser2")
        self.team_coordinator = person("teamcoordinator")
        self.expert = person("expert")
        self.m_adviser = services.team_member_add(
            team=self.regional, person=self.adviser, role=codes.MemberRole.ADVISER
        )
        self.m_adviser2 = services.team_member_add(
            team=self.regional, person=self.adviser2, role=codes.MemberRole.ADVISER
        )
        self.m_coordinator = services.team_member_add(
            team=self.regional, person=self.team_coordinator, role=codes.MemberRole.COORDINATOR
        )
        self.m_expert = services.team_member_add(
            team=self.national,
            person=self.expert,
            role=codes.MemberRole.EXPERT,
            expertise=codes.Expertise.SECURITY,
        )

    def submit(self, office_holder: Any = None, submitted_by: Any = None, **kwargs: Any) -> Any:
        from vib.support import codes, services

        submitted_by = submitted_by or office_holder or self.raadslid
        values: dict[str, Any] = {
            "submitted_by": submitted_by,
            "office_holder": office_holder or submitted_by,
            "organisation": self.municipality,
            "function": codes.Function.COUNCILLOR,
            "theme": codes.Theme.ONLINE_HATE,
            "urgency": codes.Urgency.URGENT,
            "description": "Dreigende berichten op sociale media.",
            "contact": codes.Contact.PHONE,
            "contact_details": "06 0000 0000",
        }
        values.update(kwargs)
        return services.help_request_submit(**values)

    def taken(self, **kwargs: Any) -> Any:
        from vib.support import services

        help_request = self.submit(**kwargs)
        services.case_take_on(help_request=help_request, actor=self.adviser)
        help_request.refresh_from_db()
        return help_request


@pytest.fixture
def world(db: None) -> World:
    return World()
