"""The platform's one disclosure control (vib.core.disclosure), as properties: nothing under the
threshold is published, and no hidden cell can be worked back from its row, column or total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vib.core import disclosure

counts = st.integers(min_value=0, max_value=60)


@given(st.lists(counts, min_size=1, max_size=10), st.booleans())
def test_a_line_publishes_nothing_small_and_nothing_derivable(values, adds_up):
    hidden = disclosure.protect_line(values, adds_up=adds_up)
    for value, h in zip(values, hidden, strict=True):
        if 0 < value < disclosure.THRESHOLD:
            assert h, "a count under the threshold is published"
    if adds_up and len(values) > 1:  # (a line of one cell is its own total, hidden with it)
        assert sum(hidden) != 1, "one hidden part of a shown total can be subtracted back"
    else:
        assert hidden == [disclosure.hides_count(v) for v in values]


@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda width: st.lists(
            st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=6
        )
    )
)
def test_a_table_with_totals_hides_no_cell_alone_in_its_row_or_column(inner):
    values, hidden = disclosure.protect_grid(inner)
    n_rows, n_cols = len(values), len(values[0])
    assert all(values[r][-1] == sum(values[r][:-1]) for r in range(n_rows))
    assert all(values[-1][c] == sum(values[r][c] for r in range(n_rows - 1)) for c in range(n_cols))
    for r in range(n_rows):
        for c in range(n_cols):
            if 0 < values[r][c] < disclosure.THRESHOLD:
                assert hidden[r][c]
    for r in range(n_rows):
        assert sum(hidden[r]) != 1, f"row {r} has one hidden cell"
    for c in range(n_cols):
        assert sum(hidden[r][c] for r in range(n_rows)) != 1, f"column {c} has one hidden cell"


def test_zero_is_shown_and_a_part_is_hidden_before_the_total():
    # 3 is hidden; the next smallest non-zero part (12) goes with it, not the zero, not the total.
    assert disclosure.protect_line([0, 3, 12, 40]) == [False, True, True, False]
    values, hidden = disclosure.protect_grid([[3, 12]])
    assert values == [[3, 12, 15], [3, 12, 15]]
    assert hidden == [[True, True, False], [True, True, False]]


@given(st.integers(min_value=0, max_value=40), st.floats(min_value=0, max_value=1))
def test_a_share_is_hidden_for_small_groups_and_extremes_in_groups_under_20(group, share):
    hidden = disclosure.hides_share(group, share)
    extreme = share in (0.0, 1.0)
    if group < disclosure.THRESHOLD or (extreme and group < disclosure.EXTREME_THRESHOLD):
        assert hidden
    else:
        assert not hidden
