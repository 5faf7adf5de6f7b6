"""The one formula escape of every spreadsheet export (``vib.core.cells``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vib.core.cells import escape_formula, escape_row


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+A1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_become_text(text):
    assert escape_formula(text) == "'" + text


def test_plain_text_is_unchanged():
    assert escape_formula("Stichting = Sport") == "Stichting = Sport"


def test_row_escapes_text_and_keeps_numbers():
    assert escape_row(["=A1", -3, Decimal("-2.50"), 1.5, None, "ok"]) == [
        "'=A1",
        -3,
        Decimal("-2.50"),
        1.5,
        None,
        "ok",
    ]
