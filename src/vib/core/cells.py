"""Text for spreadsheet cells (CSV, XLSX) that a spreadsheet program never runs as a formula."""

from __future__ import annotations

# Spreadsheet programs run cells that start with these as formulas (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    """``'=1+1`` for ``=1+1``: the cell shows the text and is never a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
