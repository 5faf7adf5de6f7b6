"""Importing incidents from another system (e.g. a GIR export): CSV or XLSX, all or nothing.

The columns are those of VIB's own export (so an export imports again); values may be the
codes or the Dutch or English labels, case-insensitive. Every row is checked first; when any
row has a problem nothing is written and every problem is reported with its line and column.
Otherwise all rows are written in one transaction. See docs/incidents.md for the columns.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.core.imports import csv_problem, quoted
from vib.incidents import codes
from vib.incidents.models import Incident, PoliceReport, Transition, Victim
from vib.incidents.services import EARLIEST, new_reference
from vib.organisations.models import Organisation, Unit
from vib.organisations.services import RowError

REQUIRED = ("datum_tijd", "soorten", "kanaal", "ernst", "plaats")
OPTIONAL = (
    "organisatie",
    "eenheid",
    "status",
    "gemeld_op",
    "platform",
    "locatie",
    "omschrijving",
    "slachtoffergroepen",
    "schade_euro",
    "verhaald_euro",
    "politie",
    "vpt",
    "bron",
    "extern_id",
)
IGNORED = ("referentie", "nazorg_open")  # export-only columns: accepted, not imported
COLUMNS = REQUIRED + OPTIONAL + IGNORED
BATCH = 1000
MAX_XML_PART = 256 * 1024 * 1024
MAX_COLUMNS = 16_384  # a spreadsheet's own limit (XFD)
_SPLIT = re.compile(r"[;,|]")
_NL_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class IncidentImportError(ValidationError):
    """The file has problems; nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__([str(error) for error in self.errors])

    @property
    def lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})


@dataclass(frozen=True)
class ImportResult:
    created: int
    organisations: tuple[str, ...]


# --- reading -----------------------------------------------------------------------------------


def read_rows(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (lower case) and the rows with their line numbers, from CSV or XLSX."""
    path = Path(path)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04":
        try:
            table = list(_xlsx_rows(path))
        except (ValueError, IndexError, EOFError, NotImplementedError, RuntimeError, zlib.error):
            # A damaged part, a cell pointing past the shared strings, an encrypted or
            # oddly compressed member: nothing to read, and nothing was written.
            raise IncidentImportError(
                [RowError(1, "-", _("The workbook is damaged and cannot be read."))]
            ) from None
    else:
        table = list(_csv_rows(path))
    if not table:
        return [], []
    (_first, header_values), *rest = table
    header = [value.strip().lower() for value in header_values]
    rows = []
    for line, values in rest:
        if not any(value.strip() for value in values):
            continue
        row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header)}
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            row["\x00extra"] = "x"
        rows.append((line, row))
    return header, rows


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            yield reader.line_num, values
    except csv.Error as exc:  # a value beyond csv's field size limit, a stray line break, ...
        raise IncidentImportError([RowError(reader.line_num, "-", csv_problem(exc))]) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The first worksheet of a workbook, as text (numbers as written, dates as serials)."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = _parse(archive, "xl/sharedStrings.xml")
            shared = ["".join(t.text or "" for t in si.iter(f"{_SS}t")) for si in root]
        sheet = _first_sheet(archive)
        if archive.getinfo(sheet).file_size > MAX_XML_PART:
            raise IncidentImportError([RowError(1, "-", _("The workbook is too large."))])
        with archive.open(sheet) as stream:
            for _event, element in ElementTree.iterparse(stream):  # noqa: S314 - see _parse
                if element.tag != f"{_SS}row":
                    continue
                number = int(element.get("r") or 0)
                values: list[str] = []
                for cell in element.findall(f"{_SS}c"):
                    ref = cell.get("r") or ""
                    column = _column_index(ref) if ref else len(values)
                    if column >= MAX_COLUMNS:
                        raise IncidentImportError(
                            [
                                RowError(
                                    number,
                                    "-",
                                    _("The row has more than %(max)d columns.")
                                    % {"max": MAX_COLUMNS},
                                )
                            ]
                        )
                    while len(values) < column:
                        values.append("")
                    values.append(_cell_text(cell, shared))
                element.clear()
                yield number, values


def _parse(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """Parse one XML part of a workbook. Expat ≥ 2.4 refuses entity-expansion attacks and
    ElementTree never fetches external entities; the size cap stops a zip bomb."""
    if archive.getinfo(name).file_size > MAX_XML_PART:
        raise IncidentImportError([RowError(1, "-", _("The workbook is too large."))])
    return ElementTree.fromstring(archive.read(name))  # noqa: S314


def _first_sheet(archive: zipfile.ZipFile) -> str:
    workbook = _parse(archive, "xl/workbook.xml")
    sheet = workbook.find(f"{_SS}sheets/{_SS}sheet")
    rels = _parse(archive, "xl/_rels/workbook.xml.rels")
    if sheet is not None:
        wanted = sheet.get(f"{_REL}id")
        for rel in rels:
            if rel.get("Id") == wanted:
                target = rel.get("Target", "")
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return "xl/worksheets/sheet1.xml"


def _column_index(ref: str) -> int:
    index = 0
    for char in ref:
        if not char.isalpha():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1


def _cell_text(cell: ElementTree.Element, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_SS}t"))
    value = cell.findtext(f"{_SS}v") or ""
    if kind == "s" and value:
        return shared[int(value)]
    if kind == "b":
        return "ja" if value == "1" else "nee"
    return value


# --- parsing -----------------------------------------------------------------------------------


def _lookup(choices: type[Any]) -> dict[str, str]:
    """Code list value by its code, Dutch label or English label (lower case)."""
    table: dict[str, str] = {}
    for language in ("en", "nl"):
        with translation.override(language):
            for value, label in choices.choices:
                table[str(label).strip().lower()] = value
    for value in choices.values:
        table[value.lower()] = value
    return table


def _parse_moment(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    match = _NL_DATE.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    elif re.fullmatch(r"\d+(\.\d+)?", text):
        serial = float(text)  # a spreadsheet date (days since 1899-12-30)
        if not 1 <= serial < 2958466:
            raise ValueError(text)
        moment = datetime(1899, 12, 30) + timedelta(days=serial)
    else:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parse_amount(text: str) -> Decimal | None:
    text = text.strip().replace("€", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return Decimal(text)


def _parse_bool(text: str) -> bool | None:
    text = text.strip().lower()
    if not text:
        return None
    if text in ("ja", "yes", "true", "1", "j", "y", "waar"):
        return True
    if text in ("nee", "no", "false", "0", "n", "onwaar"):
        return False
    raise ValueError(text)


@dataclass
class _Row:
    line: int
    organisation: Organisation
    values: dict[str, Any]
    groups: list[str]
    police: str
    vpt: bool


class _Parser:
    def __init__(self, default_organisation: Organisation | None, source: str) -> None:
        self.default = default_organisation
        self.source = source
        self.lookups = {
            "kanaal": _lookup(codes.Channel),
            "ernst": _lookup(codes.Severity),
            "plaats": _lookup(codes.PlaceKind),
            "platform": _lookup(codes.Platform),
            "status": _lookup(codes.Status),
            "soorten": _lookup(codes.IncidentType),
            "slachtoffergroepen": _lookup(codes.VictimGroup),
            "politie": _lookup(codes.PoliceReportKind),
        }
        self.organisations: dict[str, Organisation] = {}
        self.units: dict[tuple[Any, str], Unit] = {}
        self.now = timezone.now()

    def prepare(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        codes_wanted = {(row.get("organisatie") or "").strip().upper() for _line, row in rows}
        codes_wanted.discard("")
        for organisation in Organisation.objects.filter(code__in=codes_wanted):
            self.organisations[organisation.code.upper()] = organisation
        org_ids = {o.pk for o in self.organisations.values()}
        if self.default is not None:
            org_ids.add(self.default.pk)
        for unit in Unit.objects.filter(organisation_id__in=org_ids):
            self.units[(unit.organisation_id, unit.name.strip().lower())] = unit

    def choice(self, column: str, raw: str, errors: list[RowError], line: int) -> str:
        text = raw.strip().lower()
        if not text:
            return ""
        table = self.lookups[column]
        value = table.get(text) or table.get(re.sub(r"[\s-]+", "_", text))
        if value is None:
            errors.append(
                RowError(line, column, _("Unknown value %(value)r.") % {"value": quoted(raw)})
            )
            return ""
        return value

    def many(self, column: str, raw: str, errors: list[RowError], line: int) -> list[str]:
        values = []
        for part in _SPLIT.split(raw):
            if part.strip():
                value = self.choice(column, part, errors, line)
                if value and value not in values:
                    values.append(value)
        return values

    def row(self, line: int, raw: Mapping[str, str], errors: list[RowError]) -> _Row | None:  # noqa: C901, PLR0912, PLR0915
        before = len(errors)

        def text(column: str) -> str:
            return (raw.get(column) or "").strip()

        if raw.get("\x00extra"):
            errors.append(RowError(line, "-", _("The row has more values than the header.")))
        for column, value in raw.items():
            if column in COLUMNS and "\x00" in value:
                # PostgreSQL cannot store it; the web forms refuse it with the same words.
                errors.append(RowError(line, column, _("Null characters are not allowed.")))
        code = text("organisatie").upper()
        organisation = self.organisations.get(code) if code else self.default
        if organisation is None:
            errors.append(
                RowError(
                    line,
                    "organisatie",
                    _("Unknown organisation %(code)r.") % {"code": quoted(code)}
                    if code
                    else _("The organisation is missing (give the column or --organisation)."),
                )
            )
        for column in REQUIRED:
            if not text(column):
                errors.append(RowError(line, column, _("This field is required.")))
        occurred_at = reported_at = None
        for column in ("datum_tijd", "gemeld_op"):
            try:
                moment = _parse_moment(text(column))
            except (ValueError, OverflowError):
                errors.append(
                    RowError(
                        line,
                        column,
                        _("%(value)r is not a date and time (e.g. 2025-03-14 10:30).")
                        % {"value": quoted(text(column))},
                    )
                )
                continue
            if moment is not None and not (EARLIEST <= moment <= self.now):
                errors.append(
                    RowError(line, column, _("The date lies in the future or before 1990."))
                )
            if column == "datum_tijd":
                occurred_at = moment
            else:
                reported_at = moment
        types = self.many("soorten", text("soorten"), errors, line)
        channel = self.choice("kanaal", text("kanaal"), errors, line)
        severity = self.choice("ernst", text("ernst"), errors, line)
        place = self.choice("plaats", text("plaats"), errors, line)
        platform = self.choice("platform", text("platform"), errors, line)
        status = self.choice("status", text("status"), errors, line) or codes.Status.CLOSED
        groups = self.many("slachtoffergroepen", text("slachtoffergroepen"), errors, line)
        police = self.choice("politie", text("politie"), errors, line)
        if platform and channel and channel != codes.Channel.SOCIAL_MEDIA:
            errors.append(
                RowError(
                    line, "platform", _("A platform only goes with the channel 'social media'.")
                )
            )
        amounts: dict[str, Decimal | None] = {}
        for column in ("schade_euro", "verhaald_euro"):
            try:
                amount = _parse_amount(text(column))
            except InvalidOperation:
                errors.append(
                    RowError(
                        line,
                        column,
                        _("%(value)r is not an amount.") % {"value": quoted(text(column))},
                    )
                )
                continue
            if amount is not None and not (Decimal(0) <= amount < Decimal("1e10")):
                errors.append(RowError(line, column, _("Enter an amount of zero or more.")))
            amounts[column] = amount
        try:
            vpt = _parse_bool(text("vpt"))
        except ValueError:
            errors.append(RowError(line, "vpt", _("Use ja or nee.")))
            vpt = None
        unit = None
        if text("eenheid") and organisation is not None:
            unit = self.units.get((organisation.pk, text("eenheid").lower()))
            if unit is None:
                errors.append(
                    RowError(
                        line,
                        "eenheid",
                        _("%(organisation)s has no unit %(unit)r.")
                        % {"organisation": organisation.name, "unit": quoted(text("eenheid"))},
                    )
                )
        for column, limit in (("locatie", 200), ("omschrijving", 10_000), ("extern_id", 64)):
            if len(text(column)) > limit:
                errors.append(
                    RowError(line, column, _("Longer than %(max)d characters.") % {"max": limit})
                )
        if len(errors) > before or organisation is None or occurred_at is None:
            return None
        return _Row(
            line=line,
            organisation=organisation,
            values={
                "occurred_at": occurred_at,
                "reported_at": reported_at or occurred_at,
                "types": codes.to_mask(types, codes.TYPE_BITS),
                "channel": channel,
                "severity": severity,
                "place_kind": place,
                "platform": platform,
                "status": status,
                "location": text("locatie"),
                "description": text("omschrijving"),
                "unit": unit,
                "damage_amount": amounts.get("schade_euro"),
                "recovery_received": amounts.get("verhaald_euro"),
                "source": (text("bron") or self.source)[:40],
                "external_id": text("extern_id"),
            },
            groups=groups or [codes.VictimGroup.EMPLOYEE],
            police=police,
            vpt=True if vpt is None else vpt,
        )


# --- the import --------------------------------------------------------------------------------


def incidents_import(  # noqa: C901, PLR0912
    *, path: str | Path, organisation: Organisation | None = None, source: str = "import"
) -> ImportResult:
    """Import every row of ``path`` or nothing; raises ``IncidentImportError`` with all problems."""
    try:
        header, rows = read_rows(path)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, UnicodeDecodeError):
        raise IncidentImportError(
            [RowError(1, "-", _("The file is neither a CSV file (UTF-8) nor an XLSX workbook."))]
        ) from None
    errors: list[RowError] = []
    if not header:
        raise IncidentImportError([RowError(1, "-", _("The file is empty."))])
    for column in REQUIRED:
        if column not in header:
            errors.append(RowError(1, column, _("The column is missing from the header.")))
    for column in header:
        if column and column not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    column,
                    _("Unknown column; the columns are: %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
    if errors:
        raise IncidentImportError(errors)
    if not rows:
        raise IncidentImportError([RowError(1, "-", _("The file contains no incidents."))])

    parser = _Parser(organisation, source)
    parser.prepare(rows)
    valid: list[_Row] = []
    seen: dict[tuple[Any, str, str], int] = {}
    for line, raw in rows:
        row = parser.row(line, raw, errors)
        if row is None:
            continue
        key = (row.organisation.pk, row.values["source"], row.values["external_id"])
        if row.values["external_id"]:
            if key in seen:
                errors.append(
                    RowError(
                        line,
                        "extern_id",
                        _("Duplicate id; it is already on line %(first)d.") % {"first": seen[key]},
                    )
                )
                continue
            seen[key] = line
        valid.append(row)
    if seen:
        existing = set(
            Incident.objects.filter(
                organisation_id__in={key[0] for key in seen},
                external_id__in={key[2] for key in seen},
            ).values_list("organisation_id", "source", "external_id")
        )
        for key in existing & set(seen):
            errors.append(
                RowError(
                    seen[key],
                    "extern_id",
                    _("This incident was imported before (id %(id)s).") % {"id": key[2]},
                )
            )
    if errors:
        raise IncidentImportError(errors)

    with transaction.atomic():
        _write(valid, source=source, path=Path(path).name)
    return ImportResult(
        created=len(valid),
        organisations=tuple(sorted({row.organisation.code for row in valid})),
    )


def _write(rows: list[_Row], *, source: str, path: str) -> None:
    now = timezone.now()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        incidents, victims, history, police = [], [], [], []
        for row in batch:
            values = row.values
            incident = Incident(
                organisation=row.organisation,
                reference=new_reference(),
                victim_groups=codes.to_mask(row.groups, codes.GROUP_BITS),
                closed_at=values["reported_at"]
                if values["status"] == codes.Status.CLOSED
                else None,
                **values,
            )
            incidents.append(incident)
            for group in row.groups:
                victims.append(
                    Victim(
                        incident=incident,
                        organisation=row.organisation,
                        group=group,
                        unit=values["unit"],
                    )
                )
            history.append(
                Transition(
                    incident=incident,
                    organisation=row.organisation,
                    from_status="",
                    to_status=values["status"],
                    at=now,
                    note=f"imported from {path} ({values['source']})",
                )
            )
            if row.police:
                police.append(
                    PoliceReport(
                        incident=incident,
                        organisation=row.organisation,
                        kind=row.police,
                        date=timezone.localtime(values["occurred_at"]).date(),
                        vpt=row.vpt,
                    )
                )
        Incident.objects.bulk_create(incidents)
        Victim.objects.bulk_create(victims)
        Transition.objects.bulk_create(history)
        PoliceReport.objects.bulk_create(police)
        for incident in incidents:
            audit_record(
                actor=None,
                action=Action.CREATE,
                obj=incident,
                channel="cli",
                reason=f"imported from {path}",
            )
