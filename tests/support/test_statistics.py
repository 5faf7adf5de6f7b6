"""Disclosure control of the support statistics."""

from __future__ import annotations

import pytest

from vib.support.selectors import support_statistics, suppress


def counts(cells):
    return [c.count for c in cells]


def test_small_cells_are_hidden_and_zero_is_shown():
    assert counts(suppress([("a", 0), ("b", 12), ("c", 3), ("d", 9), ("e", 40)])) == [
        0,
        12,
        None,
        None,
        40,
    ]


def test_a_lone_hidden_cell_takes_the_smallest_other_with_it():
    # 55 - 12 - 40 would give the hidden 3 away; 12 is hidden as well
    assert counts(suppress([("a", 12), ("b", 3), ("c", 40)])) == [None, None, 40]


def test_nothing_hidden_when_all_are_large():
    assert counts(suppress([("a", 10), ("b", 11)])) == [10, 11]


@pytest.mark.django_db
def test_statistics_of_the_demo_never_show_a_small_number(sdemo):
    stats = support_statistics()
    assert stats.total >= 10
    for table in stats.tables:
        assert all(c.count is None or c.count == 0 or c.count >= 10 for c in table.cells)
        assert sum(1 for c in table.cells if c.count is None) != 1
    for _label, median, n in stats.first_contact:
        assert (median is None) == (n is None)
        assert n is None or n >= 10
