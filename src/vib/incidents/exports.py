"""CSV and XLSX exports of incidents, streamed row by row.

Spreadsheet formula injection (CWE-1236): a text cell that starts with ``= + - @``, a tab or
a carriage return could be run as a formula when the file is opened. In CSV such a cell is
prefixed with an apostrophe (OWASP's advice; the spreadsheet shows the text, runs nothing);
in XLSX every text is an inline string, which is never evaluated, and such cells also get
Excel's ``quotePrefix`` style (see ``xlsx.py``). Numbers and dates are typed, not text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from vib.core.cells import escape_formula
from vib.incidents.xlsx import stream_xlsx

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return escape_formula(str(value))


class _Line:
    """``csv.writer`` writes into this; each row comes back as one string."""

    def write(self, value: str) -> str:
        return value


def stream_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads the accents), ``,`` separated."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode() + writer.writerow(header).encode()
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([csv_value(value) for value in row]))
        if len(batch) >= 500:
            yield "".join(batch).encode()
            batch.clear()
    if batch:
        yield "".join(batch).encode()


__all__ = ["CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "escape_formula", "stream_csv", "stream_xlsx"]
