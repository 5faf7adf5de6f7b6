"""Numbers, amounts, shares and months as people read them, in the active language (issue 14).

Dutch: 1.234 · 12,5% · € 30.000 (cents only when there are any: € 30.000,50) · jan 2026.
English: 1,234 · 12.5% · € 30,000 · Jan 2026. One module for templates (the ``vib_format``
template filters) and Python code (charts, messages), so every page writes numbers the same way.

Django's USE_THOUSAND_SEPARATOR stays off on purpose: it would also group years ("2.026") and
numeric ids in links. Machine-readable output (the open-data CSV, the API, SVG coordinates)
never goes through these functions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language

type Number = int | float | Decimal


def number(value: Number | None, decimals: int = 0) -> str:
    """A number with thousands grouped and a fixed number of decimals ("1.234", "12,5")."""
    if value is None:
        return "—"
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def amount(value: Number | None) -> str:
    """An amount of money without its currency sign: "30.000", "30.000,50"."""
    if value is None:
        return "—"
    exact = Decimal(str(value))
    return number(exact, 0 if exact == exact.to_integral_value() else 2)


def euro(value: Number | None) -> str:
    """An amount in euros: whole euros without cents ("€ 30.000"), otherwise two decimals."""
    if value is None:
        return "—"
    return f"€\u00a0{amount(value)}"


def percent(value: Number | None, decimals: int = 1) -> str:
    """A share already in percent (12.5 → "12,5%"); whole numbers without decimals."""
    if value is None:
        return "—"
    if Decimal(str(value)) == Decimal(str(value)).to_integral_value():
        decimals = 0
    return f"{number(value, decimals)}%"


def signed(value: Number | None, decimals: int = 0) -> str:
    """A change: "+3", "-2" written with a real minus sign (U+2212), "0"."""
    if value is None:
        return "—"
    text = number(-value if value < 0 else value, decimals)
    return f"+{text}" if value > 0 else f"\u2212{text}" if value < 0 else text


def month(value: date | str) -> str:
    """A month as an axis label: "jan 2026" (Dutch months are not capitalised), "Jan 2026"."""
    if isinstance(value, str):  # "2026-01"
        year, month_number = (int(part) for part in value.split("-")[:2])
    else:
        year, month_number = value.year, value.month
    name = str(MONTHS_3[month_number])
    if (get_language() or "nl").startswith("en"):
        name = name.title()
    return f"{name} {year}"
