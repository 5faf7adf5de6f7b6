"""Numbers, amounts, shares and months as people read them (vib.web.formatting)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from vib.web import formatting


@pytest.mark.parametrize(
    ("function", "value", "dutch", "english"),
    [
        (formatting.number, 1234, "1.234", "1,234"),
        (formatting.number, 566000, "566.000", "566,000"),
        (formatting.number, None, "—", "—"),
        (formatting.euro, 30000, "€\u00a030.000", "€\u00a030,000"),
        (formatting.euro, Decimal("30000.50"), "€\u00a030.000,50", "€\u00a030,000.50"),
        (formatting.amount, Decimal("1800.00"), "1.800", "1,800"),
        (formatting.percent, 12.5, "12,5%", "12.5%"),
        (formatting.percent, 40.0, "40%", "40%"),
        (formatting.signed, -2, "\u22122", "\u22122"),
        (formatting.signed, 1500, "+1.500", "+1,500"),
        (formatting.signed, 0, "0", "0"),
        (formatting.month, "2026-10", "okt 2026", "Oct 2026"),
        (formatting.month, date(2026, 3, 1), "mrt 2026", "Mar 2026"),
    ],
)
def test_formats_follow_the_language(function, value, dutch, english) -> None:
    with translation.override("nl"):
        assert function(value) == dutch
    with translation.override("en"):
        assert function(value) == english


def test_numbers_with_decimals_keep_them() -> None:
    with translation.override("nl"):
        assert formatting.number(1.25, 1) in {"1,2", "1,3"}
        assert formatting.number(1234.5, 2) == "1.234,50"


def test_the_template_filters_and_years_are_left_alone() -> None:
    template = Template(
        "{% load vib_format %}{{ n|number }} {{ a|euro }} {{ s|percent }} {{ c|signed:1 }} "
        "{{ m|month }} {{ year }}"
    )
    context = Context({"n": 1234, "a": 30000, "s": 12.5, "c": 0.3, "m": "2026-01", "year": 2026})
    with translation.override("nl"):
        assert template.render(context) == "1.234 €\u00a030.000 12,5% +0,3 jan 2026 2026"
