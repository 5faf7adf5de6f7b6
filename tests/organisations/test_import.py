"""A file the csv module cannot read is refused with a clear error, like any other bad row."""

from __future__ import annotations

import pytest

from vib.organisations.services import RegistryImportError, registry_import

pytestmark = pytest.mark.django_db


def test_a_line_csv_cannot_read_is_a_clear_error(tmp_path):
    path = tmp_path / "huge.csv"
    header = "code,name,tier,province_code,inhabitants,staff,reference_date\n"
    path.write_text(header + "GM0001," + "x" * 200_000 + ",gemeente,PV20,,,2025-01-01\n")
    with pytest.raises(RegistryImportError) as excinfo:
        registry_import(file=path)
    message = str(excinfo.value.errors[0])
    assert "longer than" in message  # said in words, not csv's own (English) error text
    assert "field limit" not in message
