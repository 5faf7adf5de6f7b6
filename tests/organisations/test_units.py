"""unit_create: validated, one name per organisation, parents inside the same organisation."""

from __future__ import annotations

import datetime as dt

import pytest

from vib.core.errors import ValidationError
from vib.organisations.models import Organisation, Tier
from vib.organisations.services import unit_create


def organisation(code: str, *, active: bool = True) -> Organisation:
    return Organisation.objects.create(
        code=code, name=code, tier=Tier.RIJK, active=active, reference_date=dt.date(2025, 1, 1)
    )


@pytest.mark.django_db
def test_unit_create_with_parent():
    bzk = organisation("BZK")
    directorate = unit_create(organisation=bzk, name="  Directie Democratie en Bestuur ")
    team = unit_create(organisation=bzk, name="Team Weerbaar Bestuur", parent=directorate)
    assert directorate.name == "Directie Democratie en Bestuur"
    assert team.parent == directorate
    assert list(bzk.units.order_by("name").values_list("name", flat=True)) == [
        "Directie Democratie en Bestuur",
        "Team Weerbaar Bestuur",
    ]


@pytest.mark.django_db
def test_unit_create_refuses_bad_input():
    bzk, jenv = organisation("BZK"), organisation("JenV")
    unit_create(organisation=bzk, name="Bedrijfsvoering")
    other = unit_create(organisation=jenv, name="Bedrijfsvoering")
    with pytest.raises(ValidationError) as info:
        unit_create(organisation=bzk, name="bedrijfsvoering")
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        unit_create(organisation=bzk, name=" ")
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        unit_create(organisation=bzk, name="Juridische Zaken", parent=other)
    assert "parent" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        unit_create(organisation=organisation("AZ", active=False), name="Kabinet")
    assert "organisation" in info.value.message_dict
