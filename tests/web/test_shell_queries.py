"""What the shell costs a page: its navigation reads the user's capabilities once, however many
menu items and start-page cards the modules contribute."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vib.accounts import selectors
from vib.accounts.models import User
from vib.accounts.selectors import organisations_of
from vib.web.navigation import all_items, navigation_for, start_cards

pytestmark = pytest.mark.django_db


def _capability_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "accounts_rolecapability" in q["sql"]]


_GRANTS_READ = 'AS "role__capabilities__capability"'


def _person(email: str) -> tuple[User, Any]:
    user = User.objects.get(email=f"{email}@demo.vib.nl")
    return user, organisations_of(user).first()


@pytest.mark.parametrize("build", [navigation_for, start_cards])
def test_the_navigation_reads_capabilities_once(demo: Any, build: Any) -> None:
    user, organisation = _person("coordinator-ag")
    assert len(all_items()) >= 15
    with CaptureQueriesContext(connection) as queries:
        items = build(user, organisation)
    assert len(_capability_queries(queries)) == 1
    assert len(items) >= 5


@pytest.mark.parametrize(
    "email", ["medewerker", "coordinator-ag", "integriteit", "beheerder", "sectoranalist"]
)
def test_the_navigation_is_the_same_as_with_a_query_per_check(
    demo: Any, email: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, organisation = _person(email)
    menu, cards = navigation_for(user, organisation), start_cards(user, organisation)
    monkeypatch.setattr(selectors, "CACHE_CAPABILITIES", False)
    assert navigation_for(user, organisation) == menu
    assert start_cards(user, organisation) == cards


# A logged-in page's whole budget (session, user, organisations, the view's own reads, the
# audit event, the shell), two above what it runs now (10, 14 and 12 here). With one query per
# capability check (``CACHE_CAPABILITIES = False``) the same pages ran 40, 27 and 24.
@pytest.mark.parametrize(
    ("email", "url_name", "budget"),
    [
        ("coordinator-ag", "web:home", 12),
        ("coordinator-ag", "incidents:list", 16),
        ("integriteit", "integrity:cases", 14),
    ],
)
def test_a_logged_in_page_stays_within_its_query_budget(
    demo: Any,
    client: Client,
    django_assert_max_num_queries: Any,
    email: str,
    url_name: str,
    budget: int,
) -> None:
    user, _organisation = _person(email)
    client.force_login(user)
    url = reverse(url_name)
    assert client.get(url).status_code == 200  # warm: first-request work is not the page's
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
    # The shell's own capability reads: one per navigation built (the start page builds two,
    # the menu and the cards); the view's own checks come on top, within the budget.
    shell_reads = [sql for sql in _capability_queries(queries) if _GRANTS_READ in sql]
    assert 1 <= len(shell_reads) <= 2, len(queries)
