"""Template helpers of the monitor report: published cells, percentages, labels."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from vib.monitor import figures
from vib.monitor.texts import level_label

register = template.Library()

INSTRUMENT_TITLES = {
    "nl": {
        "office_holders": "Politieke ambtsdragers",
        "employees": "Medewerkers",
        "organisations": "Organisaties",
    },
    "en": {
        "office_holders": "Political office holders",
        "employees": "Employees",
        "organisations": "Organisations",
    },
}


@register.simple_tag
def cell(c: Any) -> str:
    """A ``<td>`` with the published value: "x" for a hidden cell, never its number."""
    if c.hidden:
        return format_html(
            '<td class="num" data-cell="{}" data-hidden="1">{}<span class="flags"></span></td>',
            c.id,
            c.text,
        )
    return format_html(
        '<td class="num" data-cell="{}">{}<span class="flags">{}</span></td>',
        c.id,
        c.text,
        c.flags,
    )


@register.simple_tag
def annex_cell(c: Any) -> str:
    """Estimate · interval · n in one cell (one line to lay out instead of three)."""
    if c.hidden:
        return format_html('<td data-cell="{}" data-hidden="1">{}</td>', c.id, c.text)
    return format_html(
        '<td data-cell="{}">{}{} · {} · n={}</td>', c.id, c.text, c.flags, c.interval, c.n
    )


@register.filter
def percent(v: float | None) -> str:
    return figures.percent(v)


@register.filter
def points(v: float) -> str:
    return figures.points(v)


@register.filter
def number(v: float | None, digits: int = 0) -> str:
    """Dutch: "1.234,5" (``|number:1``)."""
    return figures.number(v, int(digits))


@register.filter
def figure(v: Any) -> str:
    """A count that another module gave as text ("1234") in Dutch ("1.234"); other text as is."""
    text = str(v)
    return figures.integer(int(text)) if text.isdigit() else text


@register.filter
def instrument_title(code: str, language: str) -> str:
    return INSTRUMENT_TITLES.get(language, INSTRUMENT_TITLES["nl"]).get(code, code)


@register.filter
def stratum_label(row: dict[str, Any], language: str) -> str:
    return (
        f"{level_label(language, 'tier', row['tier'])}: "
        f"{level_label(language, 'function', row['function'])}"
    )


@register.filter
def registration_rows(report: Any) -> list[dict[str, str]]:
    reg = report.input.registrations
    if reg is None:
        return []
    cells = {e.key: e for e in report.cells()}
    rows = []
    for t in reg.tiers:
        victim = cells.get(("emp_ag_any", "tier", t.tier))
        victims = 100 * victim.estimate if victim and victim.shown and victim.estimate else None
        per_100 = t.per_100_staff
        rate = per_100 / victims if per_100 is not None and victims else None
        rows.append(
            {
                "label": level_label(report.input.language, "tier", t.tier),
                "staff": figures.integer(t.staff),
                "registered": "x" if t.registered is None else figures.integer(t.registered),
                "per_100": figures.number(per_100, 1),
                "victims": figures.number(victims, 0),
                "rate": "" if rate is None or rate <= 0 else figures.percent(rate),
            }
        )
    return rows
