"""Text for spreadsheet cells (CSV, XLSX) that a spreadsheet program never runs as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Spreadsheet programs run cells that start with these as formulas (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """``'=1+1`` for ``=1+1``: the cell shows the text and is never a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def escape_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row with every text cell escaped; numbers stay numbers (a negative number is not
    a formula, and a spreadsheet must still be able to add them up)."""
    return [escape_formula(value) if isinstance(value, str) else value for value in values]
