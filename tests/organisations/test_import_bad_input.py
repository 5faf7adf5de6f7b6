"""A NUL character in a registry file is refused naming its line and column, not left to the
database (PostgreSQL cannot store it and raised a DataError: issue #9, found by fuzzing)."""

from __future__ import annotations

import pytest

from vib.organisations.models import Organisation
from vib.organisations.services import RegistryImportError, registry_import

pytestmark = pytest.mark.django_db

HEADER = "code,name,tier,province_code,inhabitants,staff,reference_date\n"


def test_a_nul_character_is_refused_with_its_line(tmp_path):
    path = tmp_path / "registry.csv"
    path.write_text(
        HEADER
        + "PV98,Goed,provincie,,,10,2025-01-01\nPV99,Fout\x00land,provincie,,,10,2025-01-01\n",
        encoding="utf-8",
    )
    before = Organisation.objects.count()
    with pytest.raises(RegistryImportError) as caught:
        registry_import(file=path, full=False)
    assert [(e.line, e.column) for e in caught.value.errors] == [(3, "name")]
    assert "Null characters are not allowed." in caught.value.errors[0].message
    assert Organisation.objects.count() == before
