"""The API under schemathesis: every operation, as several roles, answers within its schema.

Schemathesis reads the document the API serves (``/api/v1/openapi.json``) and generates
requests from it — valid and invalid bodies, query parameters, path ids — against the WSGI
app in this process (the test database, the demo of ``tests/conftest.py``). Each request goes
out with the API token of one demo user, drawn per example: a reporter, the A&G coordinator,
the integrity officer, the compliance officer and the sector analyst. Path ids are half of
the time those of real objects the demo made (so that the handlers' views of incidents and
cases are reached, and the reporter's view of their own report, not only the 404), half of
the time what schemathesis made up. ``test_both_views_of_an_incident`` and
``test_deadlines_of_a_case`` ask for the answers that once fell outside the schema outright,
so that they are checked whatever the draw.

Checks: ``not_a_server_error`` (no 5xx) and ``response_schema_conformance`` (a documented
answer has the documented body); also ``status_code_conformance`` and
``content_type_conformance``, which are what "no answers outside the schema" means for the
status and the media type.

Bounded: ``MAX_EXAMPLES`` per operation, no shrinking, no example database, so the whole
module takes about a minute with the demo (shared by every operation). Runs on SQLite and on
PostgreSQL (see ``_connection_kept_across_requests``). Needs ``schemathesis`` (dev
dependency); skipped without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 10
ROLES = {
    "reporter": "medewerker@demo.vib.nl",
    "ag_coordinator": "coordinator-ag@demo.vib.nl",
    "integrity_officer": "integriteit@demo.vib.nl",
    "compliance_officer": "compliance@demo.vib.nl",
    "sector_analyst": "sectoranalist@demo.vib.nl",
}
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def _app() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _app())

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _connection_kept_across_requests() -> Iterator[None]:
    """The WSGI handler leaves the test's database connection open, as the test client does.

    Django's WSGI handler sends ``request_started`` and, when the answer is closed,
    ``request_finished``; ``close_old_connections`` listens to both and closes a connection
    whose autocommit differs from the setting's. Inside the test's transaction (the demo's
    module-wide one, and the test's savepoint) autocommit is off, so on PostgreSQL it closed
    the connection that holds the transaction: every later query failed with "the connection
    is closed". (The in-memory SQLite database ignores ``close()``, which is why SQLite did not
    notice.) Django's test client unhooks ``close_old_connections`` around each request;
    schemathesis calls the real WSGI handler, so this test does the same for its duration.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(demo) -> dict[str, Any]:
    """Tokens for the roles, and ids of real objects per first path segment."""
    from vib.accounts.models import User
    from vib.accounts.services import api_token_create
    from vib.api.scopes import known_scopes

    tokens = {}
    for role, email in ROLES.items():
        user = User.objects.get(email=email)
        _token, secret = api_token_create(
            owner=user, name=f"schemathesis {role}", scopes=known_scopes()
        )
        tokens[role] = secret
    own = _own_incident()
    return {"tokens": tokens, "ids": _real_ids(own), "own_incident": own}


def _own_incident() -> str:
    """An incident the reporter reported (they see it in the reporter's view)."""
    from django.apps import apps
    from django.db.models import Q

    email = ROLES["reporter"]
    own = Q(reported_by__email=email) | Q(person__email=email)
    incidents = apps.get_model("incidents.Incident").objects
    return str(incidents.filter(own).values_list("pk", flat=True).earliest("reported_at"))


def _real_ids(own_incident: str) -> dict[str, list[str]]:
    from django.apps import apps

    def some(label: str, field: str = "pk") -> list[str]:
        model = apps.get_model(label)
        return [str(v) for v in model.objects.values_list(field, flat=True)[:4]]

    ids = {
        # The reporter's own report first, so that the reporter's view is reached too.
        "incidenten": [own_incident, *some("incidents.Incident")][:4],
        "integriteitszaken": some("integrity.Case"),
        "organisaties": some("organisations.Organisation"),
    }
    optional = {
        "nevenwerkzaamheden": "disclosures.SideActivity",
        "financiele-belangen": "disclosures.FinancialInterest",
        "kwetsbare-processen": "governance.VulnerableProcess",
    }
    for segment, label in optional.items():
        try:
            ids[segment] = some(label)
        except LookupError:
            ids[segment] = []
    try:
        ids["openbare-registers"] = some("organisations.Organisation", "code")
    except Exception:  # only a source of good values
        ids["openbare-registers"] = []
    return ids


@schema.parametrize()
@schema.given(role=st.sampled_from(sorted(ROLES)), pick=st.integers(0, 7))
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api(case: Any, role: str, pick: int, world: dict[str, Any]) -> None:
    if case.path_parameters:
        segment = case.path.strip("/").split("/")[0]
        real = world["ids"].get(segment, [])
        if real and pick < 4:
            name = "code" if "code" in case.path_parameters else "id"
            case.path_parameters[name] = real[pick % len(real)]
    headers = {"Authorization": f"Bearer {world['tokens'][role]}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.parametrize(("role", "handler"), [("reporter", False), ("ag_coordinator", True)])
def test_both_views_of_an_incident(world: dict[str, Any], role: str, handler: bool) -> None:
    """The reporter's view of their report (without the handling properties and the notes of
    the history) and a handler's view of it, alone and in the list, answer as documented."""
    own = world["own_incident"]
    headers = {"Authorization": f"Bearer {world['tokens'][role]}"}
    detail = schema["/incidenten/{id}"]["GET"].Case(path_parameters={"id": own})
    body = json.loads(detail.call_and_validate(headers=headers, checks=CHECKS).content)
    assert body["behandelaar"] is handler
    assert ("schadeEuro" in body) is handler
    assert body["statusgeschiedenis"]
    assert all(("toelichting" in step) is handler for step in body["statusgeschiedenis"])
    listing = schema["/incidenten"]["GET"].Case(query={"zoek": body["referentie"]})
    page = json.loads(listing.call_and_validate(headers=headers, checks=CHECKS).content)
    assert [(row["id"], row["behandelaar"]) for row in page["results"]] == [(own, handler)]


def test_deadlines_of_a_case(world: dict[str, Any]) -> None:
    """The deadlines of a case the officer handles: a page, as documented for every list."""
    from vib.access.integrity import cases_visible_to
    from vib.accounts.models import User

    officer = User.objects.get(email=ROLES["integrity_officer"])
    case_id = cases_visible_to(officer).values_list("pk", flat=True).first()
    assert case_id is not None
    headers = {"Authorization": f"Bearer {world['tokens']['integrity_officer']}"}
    operation = schema["/integriteitszaken/{id}/termijnen"]["GET"]
    case = operation.Case(path_parameters={"id": str(case_id)})
    page = json.loads(case.call_and_validate(headers=headers, checks=CHECKS).content)
    assert page["count"] == 2
    assert {row["soort"] for row in page["results"]} == {"acknowledgement", "feedback"}


def test_covers_every_operation() -> None:
    """The parametrisation is over every operation of the document (nothing filtered)."""
    operations = [op for op in schema.get_all_operations() if op.ok()]
    assert len(operations) >= 15, len(operations)
