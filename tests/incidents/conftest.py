"""Fixtures of the incident tests: two small municipalities with people in every relevant role.

Built directly through the services (not from the demo), so most tests stay fast; the
access-matrix and browser tests use the demo. Private files go to a temporary directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.utils import timezone, translation

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """The project's client (second factor confirmed), asking for English pages."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@dataclass
class Tenant:
    organisation: Any
    units: dict[str, Any]
    people: dict[str, Any]


def _tenant(code: str, name: str) -> Tenant:
    from vib.accounts.services import role_assign, user_create
    from vib.organisations.models import Organisation, Tier
    from vib.organisations.services import unit_create

    organisation = Organisation.objects.create(
        code=code,
        name=name,
        tier=Tier.GEMEENTE,
        inhabitants=60_000,
        staff=800,
        reference_date=date(2026, 1, 1),
    )
    units = {
        unit: unit_create(organisation=organisation, name=unit)
        for unit in ("Publiekszaken", "Handhaving")
    }
    roles = {
        "employee": ["reporter"],
        "wethouder": ["reporter"],
        "coordinator": ["reporter", "ag_coordinator"],
        "manager": ["reporter", "manager"],
        "hr": ["reporter", "hr"],
        "secretaris": ["reporter", "secretaris"],
        "integrity": ["reporter", "integrity_officer"],
    }
    people = {}
    for key, codes in roles.items():
        user = user_create(email=f"{key}@{code.lower()}.test", full_name=f"{key.title()} {name}")
        for role in codes:
            role_assign(
                user=user, role=role, organisation=organisation, valid_from=date(2000, 1, 1)
            )
        people[key] = user
    # A manager whose role is limited to one unit.
    unit_manager = user_create(email=f"unitmanager@{code.lower()}.test", full_name="Unit Manager")
    role_assign(
        user=unit_manager, role="reporter", organisation=organisation, valid_from=date(2000, 1, 1)
    )
    role_assign(
        user=unit_manager,
        role="manager",
        organisation=organisation,
        unit=units["Handhaving"],
        valid_from=date(2000, 1, 1),
    )
    people["unit_manager"] = unit_manager
    return Tenant(organisation=organisation, units=units, people=people)


@pytest.fixture
def world(db) -> dict[str, Any]:
    from vib.accounts.services import role_assign, user_create

    a = _tenant("GM9801", "Testdorp")
    b = _tenant("GM9802", "Proefstad")
    analyst = user_create(email="analyst@sector.test", full_name="Sector Analyst")
    role_assign(user=analyst, role="sector_analyst", organisation=None, valid_from=date(2000, 1, 1))
    return {"a": a, "b": b, "analyst": analyst}


def report(tenant: Tenant, who: str = "employee", **overrides: Any) -> Any:
    """An incident reported through the service, with sensible defaults; ``overrides`` are
    the report's fields by their flat names (``victim_group``, ``perpetrator_kind``, …)."""
    from vib.incidents.services import (
        ReportedPerpetrator,
        ReportedVictim,
        ReportFacts,
        incident_report,
    )

    values: dict[str, Any] = {
        "actor": tenant.people[who],
        "organisation": tenant.organisation,
        "occurred_at": timezone.now() - timezone.timedelta(hours=2),
        "types": ["verbaal", "bedreiging"],
        "channel": "persoonlijk",
        "severity": "ernstig",
        "place_kind": "balie_kantoor",
        "description": "Scheldpartij aan de balie.",
        "unit": tenant.units["Publiekszaken"],
    }
    values.update(overrides)
    victim = {
        key: values.pop(flat)
        for flat, key in [
            ("victim_group", "group"),
            ("victim_function", "function"),
            ("on_behalf_of", "on_behalf_of"),
            ("victim_name", "name"),
        ]
        if flat in values
    }
    perpetrator = {
        key.removeprefix("perpetrator_"): values.pop(key)
        for key in ["perpetrator_kind", "perpetrator_category", "perpetrator_description"]
        if key in values
    }
    service = {
        key: values.pop(key)
        for key in ["actor", "organisation", "files", "request", "channel_label"]
        if key in values
    }
    return incident_report(
        **service,
        facts=ReportFacts(**values),
        victim=ReportedVictim(**victim),
        perpetrator=ReportedPerpetrator(**perpetrator),
    )


@pytest.fixture
def make_incident():
    return report


def aware(*args: int) -> datetime:
    """A Dutch local time, as the UTC moment the services compute with (durations are exact)."""
    return timezone.make_aware(datetime(*args)).astimezone(UTC)
