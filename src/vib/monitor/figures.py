# ruff: noqa: RUF002, RUF003 — the module is about these characters
"""Dutch figures for the monitor report: the one place that writes a number for the HTML and
PDF report, its charts, the dashboard summary and the factsheets (ADR 0117).

Decimal comma, thousands point, a true minus sign, "12%" (never "12 procent (12%)"),
intervals as "21–35%", changes in procentpunten with their sign. Rounding is half up, as a
reader rounds (Python's ``round`` rounds half to even: 2.5 → 2).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"  # − : a minus sign, not a hyphen
DASH = "\u2013"  # – : between the bounds of an interval


def _rounded(v: float, digits: int) -> Decimal:
    return Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(v: float | int | None, digits: int = 0, *, sign: bool = False) -> str:
    """``1234.5`` → "1.234,5" (``digits`` decimals); "" for ``None``; ``sign``: "+3" / "−3"."""
    if v is None:
        return ""
    d = _rounded(v, digits)
    if d == 0:
        d = abs(d)  # no "−0"
    whole, _, frac = f"{abs(d):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = ".".join([whole, *groups]) + (f",{frac}" if frac else "")
    if d < 0:
        return MINUS + text
    return f"+{text}" if sign and d > 0 else text


def integer(v: float | int | None) -> str:
    return number(v, 0)


def percent(p: float | None, digits: int = 0) -> str:
    """A proportion (0..1) as a percentage: ``0.273`` → "27%"."""
    return "" if p is None else f"{number(100 * p, digits)}%"


def percent_range(low: float | None, high: float | None) -> str:
    """An interval of proportions: "21–35%" (one percent sign, an en dash)."""
    if low is None or high is None:
        return ""
    return f"{number(100 * low)}{DASH}{number(100 * high)}%"


def points(d: float | None, digits: int = 0) -> str:
    """A change between two proportions in procentpunten, signed: ``0.04`` → "+4"."""
    return "" if d is None else number(100 * d, digits, sign=True)


def points_range(low: float | None, high: float | None) -> str:
    """An interval of a change in procentpunten: "−1 tot +9" (words: a dash between two
    signed numbers reads as a minus)."""
    if low is None or high is None:
        return ""
    return f"{points(low)} tot {points(high)}"


def p_value(p: float | None) -> str:
    """Three decimals, "< 0,001" below that."""
    if p is None:
        return ""
    return "< 0,001" if p < 0.0005 else number(p, 3)
