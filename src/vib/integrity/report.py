"""The yearly report: counts of reports, investigations and established violations by category
and measure, per organisation, per tier and nationally — with disclosure control (ADR 0024).

Primary suppression hides every count from 1 to 9. Secondary suppression then hides, in every
row and column that has exactly one hidden cell, the smallest other cell (preferring non-zero
ones), and repeats until no hidden cell can be derived from a total by subtraction. Hidden
cells are all shown alike ("x"), so nobody learns which were small.

Counts come from ``ReportFact`` rows, which survive retention (ADR 0025).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vib.core import disclosure
from vib.core.cells import escape_row
from vib.integrity import codes
from vib.integrity.models import ReportFact, ViolationCategory
from vib.organisations.models import Organisation, Tier

HIDDEN = disclosure.HIDDEN


@dataclass
class Cell:
    value: int
    hidden: bool = False

    def __str__(self) -> str:
        return HIDDEN if self.hidden else str(self.value)


@dataclass
class Table:
    key: str
    caption: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)

    def as_rows(self) -> list[list[str]]:
        return [[label, *(str(c) for c in cells)] for label, cells in self.rows]


def protect(inner: list[list[int]]) -> list[list[Cell]]:
    """Add a totals column and a totals row, then suppress (``vib.core.disclosure``)."""
    values, hidden = disclosure.protect_grid(inner)
    return [
        [Cell(v, hidden=h) for v, h in zip(row, flags, strict=True)]
        for row, flags in zip(values, hidden, strict=True)
    ]


def _facts(year: int, organisations: QuerySet[Organisation] | None) -> QuerySet[ReportFact]:
    qs = ReportFact.objects.filter(year=year)
    if organisations is not None:
        qs = qs.filter(organisation__in=organisations)
    return qs


MEASURE_COLUMNS = list(codes.MeasureCategory)


def build(*, year: int, organisations: QuerySet[Organisation] | None, title: str) -> dict[str, Any]:
    """The tables of the report for a set of organisations (None: every organisation)."""
    facts = list(
        _facts(year, organisations).values(
            "case_type", "category", "investigated", "finding", "measures", "organisation__tier"
        )
    )
    categories = list(ViolationCategory.objects.filter(typology__current=True).order_by("order"))
    reports = [f for f in facts if f["case_type"] == codes.CaseType.REPORT]
    founded = [f for f in reports if f["finding"] == codes.Finding.FOUNDED]

    overview_inner = [
        [len(reports)],
        [sum(1 for f in facts if f["case_type"] == codes.CaseType.ADVICE)],
        [sum(1 for f in reports if f["investigated"])],
        [len(founded)],
    ]
    overview = Table(
        key="overview",
        caption=_("Reports, advice requests, investigations and established violations"),
        row_header=_("Count"),
        columns=[_("Number")],
    )
    labels = [
        _("Reports received"),
        _("Advice requests"),
        _("Investigations"),
        _("Established violations"),
    ]
    for label, row in zip(labels, overview_inner, strict=True):
        cell = Cell(row[0], hidden=disclosure.hides_count(row[0]))
        overview.rows.append((label, [cell]))

    # Established violations by category by measure (a case may have measures of several
    # categories; it is counted under its most severe one, so the table adds up to cases).
    severity = {m.value: i for i, m in enumerate(MEASURE_COLUMNS)}
    matrix: dict[str, Counter[str]] = {c.code: Counter() for c in categories}
    for fact in founded:
        measures = sorted(
            fact["measures"] or [codes.MeasureCategory.NONE],
            key=lambda m: severity.get(m, len(severity)),
        )
        matrix.setdefault(fact["category"] or "", Counter())[measures[0]] += 1
    row_keys = [c.code for c in categories] + ([""] if "" in matrix else [])
    inner = [[matrix[k][m.value] for m in MEASURE_COLUMNS] for k in row_keys]
    grid = protect(inner)
    names = {c.code: str(c) for c in categories} | {"": _("Not classified")}
    by_category = Table(
        key="by_category",
        caption=_("Established violations by category and measure"),
        row_header=_("Category"),
        columns=[str(m.label) for m in MEASURE_COLUMNS] + [_("Total")],
    )
    for key, cells in zip([*row_keys, None], grid, strict=True):
        by_category.rows.append((names[key] if key is not None else _("Total"), cells))

    tables = [overview, by_category]
    tiers_present = {f["organisation__tier"] for f in facts}
    if organisations is None or len(tiers_present) > 1:
        tier_rows = list(Tier)
        tier_inner = [
            [
                sum(1 for f in reports if f["organisation__tier"] == t),
                sum(1 for f in reports if f["organisation__tier"] == t and f["investigated"]),
                sum(1 for f in founded if f["organisation__tier"] == t),
            ]
            for t in tier_rows
        ]
        # The three columns do not add up to anything: protect each column against its total.
        tier_grid = protect_columns(tier_inner)
        by_tier = Table(
            key="by_tier",
            caption=_("By tier of government"),
            row_header=_("Tier"),
            columns=[_("Reports received"), _("Investigations"), _("Established violations")],
        )
        for label, cells in zip(
            [*(str(t.label) for t in tier_rows), _("Total")], tier_grid, strict=True
        ):
            by_tier.rows.append((label, cells))
        tables.append(by_tier)
    return {"year": year, "title": title, "tables": tables, "hidden": HIDDEN}


def protect_columns(inner: list[list[int]]) -> list[list[Cell]]:
    """Columns with a totals row only (the columns are not parts of one whole)."""
    columns = []
    for c in range(len(inner[0])):
        grid = protect([[row[c]] for row in inner])
        columns.append([grid[r][0] for r in range(len(grid))])
    return [[columns[c][r] for c in range(len(columns))] for r in range(len(inner) + 1)]


LEGEND = gettext_lazy(
    "x: not shown, because the number is below 10 or would let such a number be worked out."
)


def to_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(escape_row([str(report["title"]), report["year"]]))
    for table in report["tables"]:
        writer.writerow([])
        writer.writerow(escape_row([str(table.caption)]))
        writer.writerow(escape_row([str(table.row_header), *map(str, table.columns)]))
        writer.writerows(escape_row(map(str, row)) for row in table.as_rows())
    writer.writerow([])
    writer.writerow([str(LEGEND)])
    return out.getvalue()


def to_xlsx(report: dict[str, Any]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(str(report["year"]))
    row = 0
    sheet.write(row, 0, f"{report['title']} {report['year']}", bold)
    for table in report["tables"]:
        row += 2
        sheet.write(row, 0, table.caption, bold)
        row += 1
        for col, header in enumerate([table.row_header, *table.columns]):
            sheet.write(row, col, header, bold)
        for label, cells in table.rows:
            row += 1
            sheet.write(row, 0, label)
            for col, cell in enumerate(cells, start=1):
                if cell.hidden:
                    sheet.write_string(row, col, HIDDEN)
                else:
                    sheet.write_number(row, col, cell.value)
    sheet.write(row + 2, 0, str(LEGEND))
    sheet.set_column(0, 0, 48)
    book.close()
    return out.getvalue()


PDF_CSS = """
@page { size: A4; margin: 2cm; @bottom-right { content: counter(page) " / " counter(pages); } }
body { font-family: sans-serif; font-size: 10pt; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; }
caption { text-align: left; font-weight: bold; margin-bottom: .3em; }
th, td { border: 1px solid #999; padding: 3px 6px; }
td { text-align: right; }
"""


def to_pdf(html: str, base_url: str) -> bytes:
    from weasyprint import CSS, HTML

    # No network: the stylesheet is given here, nothing is fetched.
    return HTML(string=html, base_url=base_url, url_fetcher=_no_fetch).write_pdf(
        stylesheets=[CSS(string=PDF_CSS)]
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"not fetching {url}")
