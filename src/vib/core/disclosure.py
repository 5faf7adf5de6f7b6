"""Disclosure control: the one set of rules for every figure VIB publishes about people.

Pure Python (no Django), used by the incident benchmark, the integrity yearly report, the
support desk's statistics, the policy-checklist benchmark and the monitor (ADR 0121).

- **Primary suppression**: a count of 1 to ``THRESHOLD - 1`` people is hidden. Zero is shown:
  that nobody is counted identifies no one. A share (a proportion of a group) is hidden when
  its group is under ``THRESHOLD``, and a share of 0% or 100% — everyone or no one of the
  group — when the group is under ``EXTREME_THRESHOLD``.
- **Secondary suppression**: when the cells of a *line* (parts that add up to a whole that is
  shown, the whole included) have exactly one hidden cell, it could be worked back by
  subtraction; the smallest other cell of the line is hidden too (a non-zero one first, a part
  before the whole), and again until no line has exactly one hidden cell.
- A hidden cell is published as ``HIDDEN`` with neither its number nor a hint of the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: Fewer people than this in a cell or a group is never published.
THRESHOLD = 10
#: A share of 0% or 100% is published only for groups at least this large.
EXTREME_THRESHOLD = 20
#: How a hidden cell is written, in every table, file and chart.
HIDDEN = "x"


def hides_count(count: int, *, threshold: int = THRESHOLD) -> bool:
    """Primary suppression of a count of people: 1 to ``threshold - 1``."""
    return 0 < count < threshold


def hides_share(group: int, share: float | None) -> bool:
    """Primary suppression of a share of a group of ``group`` people."""
    if group < THRESHOLD or share is None:
        return True
    return group < EXTREME_THRESHOLD and share in (0.0, 1.0)


def secondary(
    sizes: Sequence[float],
    hidden: Sequence[bool],
    lines: Iterable[Sequence[int]],
    *,
    wholes: Iterable[int] = (),
) -> list[bool]:
    """Extend the primary suppression ``hidden`` of cells whose sizes are ``sizes`` so that no
    line (cell indexes of parts that add up, with their whole) has exactly one hidden cell.

    ``wholes`` are indexes of cells that are totals: they are hidden for protection only when
    no part of the line is left.
    """
    out = list(hidden)
    lines = [list(line) for line in lines]
    totals = set(wholes)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(out[i] for i in line) != 1:
                continue
            shown = [i for i in line if not out[i]]
            if not shown:
                continue
            pick = min(shown, key=lambda i: (i in totals, sizes[i] == 0, sizes[i], i))
            out[pick] = True
            changed = True
    return out


def protect_line(counts: Sequence[int], *, adds_up: bool = True) -> list[bool]:
    """Which counts of one breakdown to hide. ``adds_up``: the counts are parts of a total
    that is shown beside them (a single-valued breakdown), so secondary suppression applies;
    a multi-valued breakdown (one person in several cells) has no such total."""
    hidden = [hides_count(c) for c in counts]
    if not adds_up:
        return hidden
    return secondary(counts, hidden, [range(len(counts))])


def protect_grid(inner: Sequence[Sequence[int]]) -> tuple[list[list[int]], list[list[bool]]]:
    """A table of counts with a totals column and a totals row added: the values and which
    to hide. Every row and every column (totals included) is a line."""
    n_rows = len(inner)
    n_cols = len(inner[0]) if inner else 0
    values = [[*row, sum(row)] for row in inner]
    values.append([sum(values[r][c] for r in range(n_rows)) for c in range(n_cols + 1)])
    width = n_cols + 1
    flat = [v for row in values for v in row]
    lines = [range(r * width, (r + 1) * width) for r in range(n_rows + 1)]
    lines += [range(c, len(flat), width) for c in range(width)]
    wholes = [r * width + n_cols for r in range(n_rows + 1)] + list(
        range(n_rows * width, (n_rows + 1) * width)
    )
    hidden = secondary(flat, [hides_count(v) for v in flat], lines, wholes=wholes)
    return values, [hidden[r * width : (r + 1) * width] for r in range(n_rows + 1)]


def shown(value: int | None, hidden: bool) -> int | None:
    """The value as published: ``None`` for a hidden cell."""
    return None if hidden else value
