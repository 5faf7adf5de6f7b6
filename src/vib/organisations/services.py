"""Writes to the registry of organisations and to their units.

The registry is loaded from a CSV file (``data/organisations.csv`` ships with VIB; a newer file
can be imported with ``vib organisations import FILE.csv``). An import validates every row
first and writes all or nothing, in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.core.errors import ValidationError
from vib.core.imports import csv_problem, quoted
from vib.organisations.models import Organisation, Tier, Unit

SHIPPED_FILE = Path(__file__).resolve().parent / "data" / "organisations.csv"

COLUMNS = ("code", "name", "tier", "province_code", "inhabitants", "staff", "reference_date")
REQUIRED_COLUMNS = ("code", "name", "tier", "reference_date")

CODE_PATTERNS: dict[str, re.Pattern[str]] = {  # keyed by tier value
    Tier.GEMEENTE: re.compile(r"GM\d{4}"),  # CBS gemeentecode, e.g. GM0363
    Tier.PROVINCIE: re.compile(r"PV\d{2}"),  # CBS provinciecode, e.g. PV27
    Tier.WATERSCHAP: re.compile(r"WS\d{4}"),  # water board code, e.g. WS0636
    Tier.RIJK: re.compile(r"[A-Za-z]{2,8}"),  # the ministry's abbreviation, e.g. BZK, JenV
}
CODE_EXAMPLES: dict[str, str] = {
    Tier.GEMEENTE: "GM0363",
    Tier.PROVINCIE: "PV27",
    Tier.WATERSCHAP: "WS0636",
    Tier.RIJK: "BZK",
}
OTHER_TIER_CODE = re.compile(r"(GM\d{4}|PV\d{2}|WS\d{4})")
MAX_INTEGER = 2_147_483_647  # PositiveIntegerField's upper bound on every supported database
NAME_MAX_LENGTH = Organisation._meta.get_field("name").max_length or 200
UNIT_NAME_MAX_LENGTH = Unit._meta.get_field("name").max_length or 200

UPDATED_FIELDS = [
    "name",
    "tier",
    "province",
    "inhabitants",
    "staff",
    "reference_date",
    "active",
    "updated_at",
]


@dataclass(frozen=True)
class RowError:
    """One problem in an import file: the line (1 is the header), the column, what is wrong."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Line %(line)d, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class RegistryImportError(ValidationError):
    """The import file has problems; nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__([str(error) for error in errors])


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    created_codes: list[str] = field(default_factory=list)
    deactivated_codes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    tier: str
    province_code: str
    inhabitants: int | None
    staff: int | None
    reference_date: dt.date


# --- reading -----------------------------------------------------------------------------------


def _read_csv(file: str | Path | IO[str]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the data rows with their line numbers. Accepts `,` or `;` as separator."""
    if isinstance(file, str | Path):
        text = Path(file).read_text(encoding="utf-8-sig")
    else:
        text = file.read()
        if text.startswith("\ufeff"):
            text = text[1:]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not header:
                header = [value.strip().lower() for value in values]
                continue
            if not any(value.strip() for value in values):
                continue  # blank line
            line = reader.line_num
            row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}
            if len(values) > len(header):
                row["\x00extra"] = ",".join(values[len(header) :])
            rows.append((line, row))
    except csv.Error as exc:  # a field beyond csv's size limit, a stray NUL byte, ...
        raise RegistryImportError([RowError(reader.line_num, "-", csv_problem(exc))]) from None
    return header, rows


# --- validation --------------------------------------------------------------------------------


def _parse_count(value: str, *, line: int, column: str, errors: list[RowError]) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        errors.append(
            RowError(line, column, _("%(value)r is not a whole number.") % {"value": quoted(value)})
        )
        return None
    if number < 0:
        errors.append(RowError(line, column, _("The number cannot be negative.")))
        return None
    if number > MAX_INTEGER:
        errors.append(RowError(line, column, _("The number is too large.")))
        return None
    return number


def _check_characters(line: int, raw: Mapping[str, str], errors: list[RowError]) -> None:
    if raw.get("\x00extra"):
        errors.append(RowError(line, "-", _("The row has more values than the header.")))
    for column in COLUMNS:
        if "\x00" in (raw.get(column) or ""):
            # PostgreSQL cannot store it; the web forms refuse it with the same words.
            errors.append(RowError(line, column, _("Null characters are not allowed.")))


def _check_name(line: int, name: str, errors: list[RowError]) -> None:
    if not name:
        errors.append(RowError(line, "name", _("The name is missing.")))
    elif len(name) > NAME_MAX_LENGTH:
        message = _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH}
        errors.append(RowError(line, "name", message))


def _check_tier_and_code(line: int, tier: str, code: str, errors: list[RowError]) -> None:
    if not tier:
        errors.append(RowError(line, "tier", _("The tier is missing.")))
    elif tier not in Tier.values:
        message = _("Unknown tier %(tier)r; use one of: %(tiers)s.") % {
            "tier": quoted(tier),
            "tiers": ", ".join(Tier.values),
        }
        errors.append(RowError(line, "tier", message))
    elif code and (
        not CODE_PATTERNS[tier].fullmatch(code)
        or (tier == Tier.RIJK and OTHER_TIER_CODE.fullmatch(code.upper()))
    ):
        message = _(
            "%(code)r is not a valid code for tier %(tier)s (expected e.g. %(example)s)."
        ) % {"code": quoted(code), "tier": tier, "example": CODE_EXAMPLES[tier]}
        errors.append(RowError(line, "code", message))


def _check_province(line: int, tier: str, province_code: str, errors: list[RowError]) -> None:
    message = None
    if tier == Tier.GEMEENTE and not province_code:
        message = _("A municipality needs the code of its province.")
    elif tier in (Tier.PROVINCIE, Tier.RIJK) and province_code:
        message = _("Leave the province empty for tier %(tier)s.") % {"tier": tier}
    elif province_code and not CODE_PATTERNS[Tier.PROVINCIE].fullmatch(province_code):
        message = _("%(code)r is not a province code (expected e.g. PV27).") % {
            "code": quoted(province_code)
        }
    if message is not None:
        errors.append(RowError(line, "province_code", message))


def _parse_date(line: int, text: str, errors: list[RowError]) -> dt.date | None:
    if not text:
        errors.append(RowError(line, "reference_date", _("The reference date is missing.")))
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        message = _("%(value)r is not a date in the form YYYY-MM-DD.") % {"value": quoted(text)}
        errors.append(RowError(line, "reference_date", message))
        return None


def _validate_row(
    line: int, raw: Mapping[str, str], errors: list[RowError]
) -> tuple[_Row | None, str]:
    """One row checked on its own; the cross-row checks (duplicates, provinces) come later."""
    before = len(errors)

    def value(column: str) -> str:
        return (raw.get(column) or "").strip()

    _check_characters(line, raw, errors)
    code, name, tier = value("code"), value("name"), value("tier").lower()
    province_code = value("province_code").upper()
    if not code:
        errors.append(RowError(line, "code", _("The code is missing.")))
    _check_name(line, name, errors)
    _check_tier_and_code(line, tier, code, errors)
    _check_province(line, tier, province_code, errors)
    inhabitants = _parse_count(value("inhabitants"), line=line, column="inhabitants", errors=errors)
    staff = _parse_count(value("staff"), line=line, column="staff", errors=errors)
    reference_date = _parse_date(line, value("reference_date"), errors)
    if len(errors) > before or reference_date is None:
        return None, code
    row = _Row(
        line=line,
        code=code,
        name=name,
        tier=tier,
        province_code=province_code,
        inhabitants=inhabitants,
        staff=staff,
        reference_date=reference_date,
    )
    return row, code


def _check_header(header: list[str]) -> None:
    errors = [
        RowError(1, column, _("The column is missing from the header."))
        for column in REQUIRED_COLUMNS
        if column not in header
    ]
    unknown = _("Unknown column; the columns are: %(columns)s.") % {"columns": ", ".join(COLUMNS)}
    errors += [
        RowError(1, column, unknown) for column in header if column and column not in COLUMNS
    ]
    if errors:
        raise RegistryImportError(errors)


def _first_of_its_code(
    line: int, code: str, first_line: dict[str, int], errors: list[RowError]
) -> bool:
    """Whether the row is the first with its code (compared without case); notes a duplicate."""
    key = code.upper()
    if key not in first_line:
        first_line[key] = line
        return True
    message = _("Duplicate code %(code)s; it is already on line %(first)d.") % {
        "code": code,
        "first": first_line[key],
    }
    errors.append(RowError(line, "code", message))
    return False


def _validate(
    header: Iterable[str] | None,
    rows: Iterable[tuple[int, Mapping[str, str]]],
    *,
    full: bool,
    progress: Callable[[int], object] | None,
) -> list[_Row]:
    errors: list[RowError] = []
    if header is not None:
        _check_header(list(header))

    valid: list[_Row] = []
    first_line: dict[str, int] = {}
    for line, raw in rows:
        row, code = _validate_row(line, raw, errors)
        if code and not _first_of_its_code(line, code, first_line, errors):
            row = None
        if row is not None:
            valid.append(row)
        if progress:
            progress(1)

    if not first_line and not errors and full:
        errors.append(RowError(1, "-", _("The file contains no organisations.")))

    provinces_in_file = {row.code for row in valid if row.tier == Tier.PROVINCIE}
    provinces_in_file |= {
        code for code in first_line if CODE_PATTERNS[Tier.PROVINCIE].fullmatch(code)
    }
    wanted = {row.province_code for row in valid if row.province_code} - provinces_in_file
    known = set(
        Organisation.objects.filter(tier=Tier.PROVINCIE, code__in=wanted).values_list(
            "code", flat=True
        )
    )
    for row in valid:
        if row.province_code and row.province_code not in provinces_in_file | known:
            errors.append(
                RowError(
                    row.line,
                    "province_code",
                    _("Province %(code)s is neither in the file nor in the registry.")
                    % {"code": row.province_code},
                )
            )

    if errors:
        errors.sort(key=lambda error: error.line)
        raise RegistryImportError(errors)
    return valid


# --- writing -----------------------------------------------------------------------------------


def registry_import(
    *,
    rows: Iterable[Mapping[str, str]] | None = None,
    file: str | Path | IO[str] | None = None,
    full: bool = True,
    progress: Callable[[int], object] | None = None,
) -> ImportResult:
    """Create or update organisations by code; all rows valid or nothing is written.

    Give either ``file`` (a path or an open text file, CSV with the columns in ``COLUMNS``) or
    ``rows`` (mappings column → text; row *n* counts as line *n + 1*, as under a header).
    With ``full=True`` the file is the whole registry: organisations that are not in it are
    marked inactive (never deleted: their history stays). Raises ``RegistryImportError`` with
    every problem found (line, column, message).
    """
    if (rows is None) == (file is None):
        raise TypeError("registry_import() takes either rows or file")
    if file is not None:
        header, numbered = _read_csv(file)
        if not header:
            raise RegistryImportError([RowError(1, "-", _("The file is empty."))])
        parsed: list[tuple[int, Mapping[str, str]]] = list(numbered)
        columns: list[str] | None = header
    else:
        assert rows is not None
        parsed = [(index + 2, row) for index, row in enumerate(rows)]
        columns = None

    with transaction.atomic():
        valid = _validate(columns, parsed, full=full, progress=progress)
        return _write(valid, full=full)


def _write(valid: list[_Row], *, full: bool) -> ImportResult:
    now = timezone.now()
    existing = {
        organisation.code: organisation
        for organisation in Organisation.objects.select_for_update().order_by()
    }
    # Provinces first, so the municipalities in the same file can point at them.
    valid.sort(key=lambda row: row.tier != Tier.PROVINCIE)
    province_ids = {
        organisation.code: organisation.pk
        for organisation in existing.values()
        if organisation.tier == Tier.PROVINCIE
    }
    new_provinces: list[Organisation] = []
    new_others: list[Organisation] = []
    changed: list[Organisation] = []
    unchanged = 0
    for row in valid:
        values = {
            "name": row.name,
            "tier": row.tier,
            "province_id": province_ids[row.province_code] if row.province_code else None,
            "inhabitants": row.inhabitants,
            "staff": row.staff,
            "reference_date": row.reference_date,
            "active": True,
        }
        organisation = existing.get(row.code)
        if organisation is None:
            organisation = Organisation(code=row.code, **values)
            (new_provinces if row.tier == Tier.PROVINCIE else new_others).append(organisation)
        elif any(getattr(organisation, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(organisation, name, value)
            organisation.updated_at = now
            changed.append(organisation)
        else:
            unchanged += 1
        if row.tier == Tier.PROVINCIE:
            province_ids[row.code] = organisation.pk

    Organisation.objects.bulk_create(new_provinces)
    Organisation.objects.bulk_create(new_others)
    if changed:
        Organisation.objects.bulk_update(changed, UPDATED_FIELDS)

    deactivated_codes: list[str] = []
    if full:
        in_file = {row.code for row in valid}
        deactivated_codes = sorted(
            code for code, org in existing.items() if org.active and code not in in_file
        )
        if deactivated_codes:
            Organisation.objects.filter(code__in=deactivated_codes).update(
                active=False, updated_at=now
            )
    created = new_provinces + new_others
    return ImportResult(
        created=len(created),
        updated=len(changed),
        unchanged=unchanged,
        deactivated=len(deactivated_codes),
        created_codes=sorted(organisation.code for organisation in created),
        deactivated_codes=deactivated_codes,
    )


def registry_load_shipped(*, full: bool = False) -> ImportResult:
    """Load the registry that ships with VIB (idempotent; runs in every demo and test database).

    By default this only creates and updates (organisations added locally stay active); with
    ``full=True`` the shipped file is taken as the whole registry.
    """
    return registry_import(file=SHIPPED_FILE, full=full)


def unit_problems(
    *, organisation: Organisation, name: str, parent: Unit | None = None
) -> dict[str, list[str]]:
    """What stops this unit from being created (field → messages); empty when nothing does."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("The name of the unit is missing.")]
    elif len(name) > UNIT_NAME_MAX_LENGTH:
        errors["name"] = [
            _("The name is longer than %(max)d characters.") % {"max": UNIT_NAME_MAX_LENGTH}
        ]
    elif Unit.objects.filter(organisation=organisation, name__iexact=name).exists():
        errors["name"] = [
            _("%(organisation)s already has a unit called %(name)r.")
            % {"organisation": organisation.name, "name": name}
        ]
    if not organisation.active:
        errors["organisation"] = [_("Units can only be added to an active organisation.")]
    if parent is not None and parent.organisation_id != organisation.pk:
        errors["parent"] = [_("The parent unit belongs to another organisation.")]
    return errors


def unit_create(*, organisation: Organisation, name: str, parent: Unit | None = None) -> Unit:
    """Add an organisational unit (optionally inside another unit of the same organisation)."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        errors = unit_problems(organisation=organisation, name=name, parent=parent)
        if errors:
            raise ValidationError(errors)
        return Unit.objects.create(organisation=organisation, name=name.strip(), parent=parent)
