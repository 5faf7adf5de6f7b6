"""The shipped registry, the all-or-nothing import and its per-row errors."""

from __future__ import annotations

import csv
import io

import pytest

from vib.organisations.models import Organisation, SizeClass, Tier
from vib.organisations.services import (
    SHIPPED_FILE,
    RegistryImportError,
    registry_import,
    registry_load_shipped,
)

HEADER = "code,name,tier,province_code,inhabitants,staff,reference_date\n"
PROVINCE = "PV26,Provincie Utrecht,provincie,,,,2025-01-01\n"


def import_text(text: str, **kwargs):
    return registry_import(file=io.StringIO(text), **kwargs)


def errors_of(text: str, **kwargs) -> list[tuple[int, str]]:
    with pytest.raises(RegistryImportError) as info:
        import_text(text, **kwargs)
    return [(error.line, error.column) for error in info.value.errors]


def test_shipped_file_is_well_formed():
    with SHIPPED_FILE.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    tiers = [row["tier"] for row in rows]
    assert tiers.count("gemeente") == 342
    assert tiers.count("provincie") == 12
    assert tiers.count("waterschap") == 21
    assert tiers.count("rijk") >= 12
    assert {row["code"] for row in rows if row["tier"] == "provincie"} == {
        f"PV{number}" for number in range(20, 32)
    }
    assert len({row["code"] for row in rows}) == len(rows)
    assert all(row["reference_date"] == "2025-01-01" for row in rows)


@pytest.mark.django_db
def test_shipped_registry_loads(django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        result = registry_load_shipped()
    assert result.created == Organisation.objects.count()
    counts = {tier: Organisation.objects.filter(tier=tier).count() for tier in Tier.values}
    assert counts[Tier.GEMEENTE] == 342
    assert counts[Tier.PROVINCIE] == 12
    assert counts[Tier.WATERSCHAP] == 21
    assert counts[Tier.RIJK] == 14
    utrecht = Organisation.objects.select_related("province").get(code="GM0344")
    assert utrecht.name == "Utrecht"
    assert utrecht.province.code == "PV26"
    for code in ("PV26", "WS0155", "WS0636", "BZK", "JenV", "GM0363"):
        assert Organisation.objects.filter(code=code, active=True).exists(), code
    assert Organisation.objects.get(code="WS0636").name == (
        "Hoogheemraadschap De Stichtse Rijnlanden"
    )
    assert not Organisation.objects.filter(tier=Tier.GEMEENTE, province__isnull=True).exists()


@pytest.mark.django_db
def test_loading_the_shipped_registry_twice_changes_nothing(django_assert_max_num_queries):
    registry_load_shipped()
    with django_assert_max_num_queries(5):
        again = registry_load_shipped()
    assert (again.created, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unchanged == Organisation.objects.count()


@pytest.mark.django_db
def test_shipped_load_keeps_organisations_added_locally():
    import_text(HEADER + "NCTV,Nationaal Coördinator Terrorismebestrijding,rijk,,,,2025-01-01\n")
    registry_load_shipped()
    assert Organisation.objects.get(code="NCTV").active


@pytest.mark.django_db
def test_import_creates_with_province_from_the_file():
    result = import_text(
        HEADER + "GM0344,Utrecht,gemeente,PV26,374238,4500,2025-01-01\n" + PROVINCE
    )
    assert (result.created, result.updated, result.deactivated) == (2, 0, 0)
    utrecht = Organisation.objects.get(code="GM0344")
    assert utrecht.province == Organisation.objects.get(code="PV26")
    assert (utrecht.inhabitants, utrecht.staff) == (374238, 4500)
    assert str(utrecht.reference_date) == "2025-01-01"


@pytest.mark.django_db
def test_import_accepts_rows_a_semicolon_file_and_a_province_already_in_the_registry():
    import_text(HEADER + PROVINCE)
    registry_import(
        rows=[
            {
                "code": "GM0356",
                "name": "Nieuwegein",
                "tier": "gemeente",
                "province_code": "PV26",
                "reference_date": "2025-01-01",
            }
        ],
        full=False,
    )
    import_text(HEADER.replace(",", ";") + "GM0321;Houten;gemeente;PV26;;;2025-01-01\n", full=False)
    assert Organisation.objects.filter(province__code="PV26").count() == 2


@pytest.mark.django_db
def test_bad_rows_are_all_reported_and_nothing_is_written():
    text = (
        HEADER
        + PROVINCE  # line 2: fine
        + "GM344,Utrecht,gemeente,PV26,,,2025-01-01\n"  # 3: code format
        + "GM0345,Veenendaal,county,PV26,,,2025-01-01\n"  # 4: unknown tier
        + "GM0355,Zeist,gemeente,PV99,,,2025-01-01\n"  # 5: unknown province
        + "GM0356,Nieuwegein,gemeente,PV26,-5,,2025-01-01\n"  # 6: negative
        + "GM0321,Houten,gemeente,PV26,,veel,2025-01-01\n"  # 7: not a number
        + "GM0310,De Bilt,gemeente,PV26,,,01-01-2025\n"  # 8: not an ISO date
        + "PV26,Provincie Utrecht,provincie,,,,2025-01-01\n"  # 9: duplicate
        + "GM0307,Amersfoort,gemeente,,,,2025-01-01\n"  # 10: province missing
        + "GM0308,,gemeente,PV26,,,2025-01-01\n"  # 11: name missing
    )
    assert errors_of(text) == [
        (3, "code"),
        (4, "tier"),
        (5, "province_code"),
        (6, "inhabitants"),
        (7, "staff"),
        (8, "reference_date"),
        (9, "code"),
        (10, "province_code"),
        (11, "name"),
    ]
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_error_messages_say_line_column_and_what_is_wrong():
    with pytest.raises(RegistryImportError) as info:
        import_text(HEADER + PROVINCE + "PV26,Utrecht,provincie,,,,2025-01-01\n")
    (error,) = info.value.errors
    assert str(error) == ("Line 3, column code: Duplicate code PV26; it is already on line 2.")


@pytest.mark.django_db
def test_header_problems_and_an_empty_full_import_are_refused():
    assert errors_of("code,name,tier\nBZK,BZK,rijk\n") == [(1, "reference_date")]
    assert errors_of(HEADER.replace("staff", "fte")) == [(1, "fte")]
    assert errors_of(HEADER) == [(1, "-")]
    assert errors_of("") == [(1, "-")]


@pytest.mark.django_db
def test_codes_must_fit_their_tier():
    text = (
        HEADER
        + "GM0363,Amsterdam,rijk,,,,2025-01-01\n"
        + "WS155,Waterschap,waterschap,,,,2025-01-01\n"
        + "PV2,Provincie,provincie,,,,2025-01-01\n"
        + "Min BZK,Ministerie,rijk,,,,2025-01-01\n"
        + "PV27,Provincie Noord-Holland,provincie,PV26,,,2025-01-01\n"
    )
    assert errors_of(text) == [
        (2, "code"),
        (3, "code"),
        (4, "code"),
        (5, "code"),
        (6, "province_code"),
    ]


@pytest.mark.django_db
def test_reimport_updates_reactivates_and_deactivates():
    import_text(
        HEADER
        + PROVINCE
        + "GM0344,Utrecht,gemeente,PV26,361000,,2024-01-01\n"
        + "GM0356,Nieuwegein,gemeente,PV26,,,2024-01-01\n"
    )
    result = import_text(HEADER + PROVINCE + "GM0344,Utrecht,gemeente,PV26,374238,,2025-01-01\n")
    assert (result.created, result.updated, result.unchanged, result.deactivated) == (0, 1, 1, 1)
    assert result.deactivated_codes == ["GM0356"]
    nieuwegein = Organisation.objects.get(code="GM0356")
    assert not nieuwegein.active  # kept, never deleted
    assert Organisation.objects.get(code="GM0344").inhabitants == 374238

    partial = import_text(HEADER + "GM0356,Nieuwegein,gemeente,PV26,,,2025-01-01\n", full=False)
    assert (partial.updated, partial.deactivated) == (1, 0)
    assert Organisation.objects.filter(active=True).count() == 3


@pytest.mark.django_db
def test_a_failed_reimport_leaves_the_registry_as_it_was():
    import_text(HEADER + PROVINCE + "GM0344,Utrecht,gemeente,PV26,361000,,2024-01-01\n")
    with pytest.raises(RegistryImportError):
        import_text(
            HEADER
            + PROVINCE
            + "GM0344,Utrecht,gemeente,PV26,374238,,2025-01-01\n"
            + "GM0356,Nieuwegein,gemeente,PV26,,,2025-13-01\n"
        )
    assert Organisation.objects.get(code="GM0344").inhabitants == 361000
    assert not Organisation.objects.filter(code="GM0356").exists()


@pytest.mark.parametrize(
    ("tier", "inhabitants", "expected"),
    [
        (Tier.GEMEENTE, None, SizeClass.NA),
        (Tier.GEMEENTE, 972, SizeClass.XS),
        (Tier.GEMEENTE, 19_999, SizeClass.XS),
        (Tier.GEMEENTE, 20_000, SizeClass.S),
        (Tier.GEMEENTE, 49_999, SizeClass.S),
        (Tier.GEMEENTE, 50_000, SizeClass.M),
        (Tier.GEMEENTE, 99_999, SizeClass.M),
        (Tier.GEMEENTE, 100_000, SizeClass.L),
        (Tier.PROVINCIE, 1_400_000, SizeClass.NA),
        (Tier.WATERSCHAP, None, SizeClass.NA),
    ],
)
def test_size_class(tier, inhabitants, expected):
    assert Organisation(tier=tier, inhabitants=inhabitants).size_class == expected


@pytest.mark.django_db
def test_size_class_is_not_applicable_without_inhabitants_in_the_shipped_file():
    registry_load_shipped()
    assert Organisation.objects.get(code="GM0344").size_class == SizeClass.NA
