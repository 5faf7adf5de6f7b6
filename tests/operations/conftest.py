"""Fixtures of the operations tests."""

from __future__ import annotations

import sys
import types
from datetime import date

import pytest
from django.urls import clear_url_caches, include, path

from vib.accounts.services import role_assign, user_create
from vib.organisations.models import Organisation

PASSWORD = "een lange wachtzin voor de beheerder"


@pytest.fixture
def ops_urls(settings):
    """The site's URLs plus operations under /beheer-toegang/ (until conf/urls mounts it)."""
    from vib.conf import urls as site

    module = types.ModuleType("vib_operations_test_urls")
    names = {getattr(p, "namespace", None) for p in site.urlpatterns}
    extra = (
        [] if "operations" in names else [path("beheer-toegang/", include("vib.operations.urls"))]
    )
    module.urlpatterns = [*extra, *site.urlpatterns]  # type: ignore[attr-defined]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, handler, getattr(site, handler))
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    yield
    clear_url_caches()
    sys.modules.pop(module.__name__, None)


def make_org(code: str, name: str) -> Organisation:
    return Organisation.objects.create(
        code=code, name=name, tier="gemeente", reference_date=date(2026, 1, 1)
    )


@pytest.fixture
def orgs(db):
    return make_org("GM9901", "Testgemeente Noord"), make_org("GM9902", "Testgemeente Zuid")


@pytest.fixture
def people(orgs):
    north, south = orgs
    admin = user_create(email="beheer@noord.example", full_name="Bea Beheer", password=PASSWORD)
    role_assign(user=admin, role="org_admin", organisation=north)
    clerk = user_create(email="mede@noord.example", full_name="Mo Medewerker", password=PASSWORD)
    role_assign(user=clerk, role="reporter", organisation=north)
    role_assign(user=clerk, role="hr", organisation=north)
    other = user_create(email="beheer@zuid.example", full_name="Zo Zuid", password=PASSWORD)
    role_assign(user=other, role="org_admin", organisation=south)
    staff = user_create(
        email="platform@example.nl", full_name="Pim Platform", password=PASSWORD, is_staff=True
    )
    return types.SimpleNamespace(admin=admin, clerk=clerk, other=other, staff=staff)
