"""`vib organisations import`: exit status, per-row messages, summary."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vib.organisations.models import Organisation

HEADER = "code,name,tier,province_code,inhabitants,staff,reference_date\n"


def run(*args: str, **options: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("organisations", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_without_file_loads_the_shipped_registry():
    out, _ = run("import", verbosity=0)
    assert "389 created, 0 updated, 0 unchanged, 0 deactivated" in out
    assert Organisation.objects.count() == 389
    out, _ = run("import", verbosity=0)
    assert "0 created, 0 updated, 389 unchanged, 0 deactivated" in out


@pytest.mark.django_db
def test_import_file_reports_created_updated_and_deactivated(tmp_path: Path):
    first = tmp_path / "first.csv"
    first.write_text(
        HEADER
        + "PV26,Provincie Utrecht,provincie,,,,2025-01-01\n"
        + "GM0344,Utrecht,gemeente,PV26,,,2025-01-01\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.csv"
    second.write_text(HEADER + "PV26,Provincie Utrecht,provincie,,,,2026-01-01\n", encoding="utf-8")
    out, _ = run("import", str(first))
    assert "2 created, 0 updated, 0 unchanged, 0 deactivated" in out
    out, _ = run("import", str(second))
    assert "0 created, 1 updated, 0 unchanged, 1 deactivated" in out
    assert "Deactivated: GM0344" in out


@pytest.mark.django_db
def test_bad_file_prints_every_error_and_imports_nothing(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "PV26,Provincie Utrecht,provincie,,,,2025-01-01\n"
        + "GM0344,Utrecht,gemeente,PV99,,,2025-01-01\n"
        + "GM0356,Nieuwegein,gemeente,PV26,many,,2025-01-01\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command("organisations", "import", str(bad), stdout=out, stderr=err)
    assert info.value.returncode == 1
    assert "has 2 errors; nothing was imported" in str(info.value)
    lines = err.getvalue().splitlines()
    assert any(line.startswith("Line 3, column province_code: Province PV99") for line in lines)
    assert "Line 4, column inhabitants: 'many' is not a whole number." in lines
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_missing_file_is_an_error(tmp_path: Path):
    with pytest.raises(CommandError) as info:
        run("import", str(tmp_path / "missing.csv"))
    assert info.value.returncode == 2


@pytest.mark.django_db
def test_vib_console_command_exits_non_zero_on_bad_rows(tmp_path: Path, scratch_database):
    """The real `vib` entry point, in a fresh process on a throwaway copy of the migrated test
    database (copying it spares migrating one more database)."""
    database_url, _ = scratch_database
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "XX,Nothing,county,,,,2025-01-01\n", encoding="utf-8")
    env = {"VIB_ENV": "test", "DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "vib", "organisations", "import", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    # The console runs in the site language (Dutch by default): check the facts, not the words.
    error_lines = [line for line in result.stderr.splitlines() if "county" in line]
    assert len(error_lines) == 1
    assert "2" in error_lines[0]
    assert "tier" in error_lines[0]
    assert str(bad) in result.stderr
