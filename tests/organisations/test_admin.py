"""The admin shows the registry read-only and adds units through the service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vib.organisations.models import Organisation, Unit
from vib.organisations.services import registry_load_shipped


@pytest.mark.django_db
def test_registry_admin_is_searchable_filterable_and_read_only(admin_client):
    registry_load_shipped()
    changelist = reverse("admin:organisations_organisation_changelist")
    page = admin_client.get(changelist, {"q": "GM0344"})
    assert page.status_code == 200
    assert b"Utrecht" in page.content
    page = admin_client.get(changelist, {"tier__exact": "waterschap"})
    assert page.status_code == 200
    assert "Wetterskip Fryslân" in page.content.decode()
    assert admin_client.get(reverse("admin:organisations_organisation_add")).status_code == 403


@pytest.mark.django_db
def test_unit_admin_adds_through_the_service(admin_client):
    registry_load_shipped()
    bzk = Organisation.objects.get(code="BZK")
    add = reverse("admin:organisations_unit_add")
    data = {"organisation": bzk.pk, "name": "Bedrijfsvoering", "parent": ""}
    assert admin_client.post(add, data).status_code == 302
    assert Unit.objects.filter(organisation=bzk, name="Bedrijfsvoering").count() == 1
    again = admin_client.post(add, data)
    assert again.status_code == 200  # the form shows the error
    assert Unit.objects.filter(organisation=bzk).count() == 1
