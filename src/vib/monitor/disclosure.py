"""Disclosure control for everything the monitor publishes (docs/domain.md §7, ADR 0073), with
the platform's thresholds and secondary suppression (``vib.core.disclosure``, ADR 0121).

1. Primary suppression: a cell with fewer than ``MIN_N`` respondents, and a cell of 0% or 100%
   (or without an interval) in a group under ``MIN_N_EXTREME``.
2. Secondary suppression: the cells of one breakdown (and the functions within one tier) are
   parts of a whole whose figure is shown; when exactly one part is hidden it could be worked
   back from the whole and the other parts (the n by subtraction, the proportion from the
   weights), so the next smallest part is hidden too — repeated until no group has exactly one
   hidden part, and a hidden whole with every part shown hides its smallest part.
3. Precision flags on what is shown: effective sample size under ``MIN_EFFECTIVE_N`` and
   intervals wider than ``MAX_WIDTH`` — marks with a note, not suppression.

Hidden cells are published as ``HIDDEN`` with neither estimate nor n, whatever the reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from vib.core import disclosure
from vib.monitor.analysis import Estimate

MIN_N = disclosure.THRESHOLD
MIN_N_EXTREME = disclosure.EXTREME_THRESHOLD
MIN_EFFECTIVE_N = 30
MAX_WIDTH = 0.20
HIDDEN = disclosure.HIDDEN
FLAG_SMALL = "*"  # effective n < 30
FLAG_WIDE = "†"  # interval wider than 20 percentage points


def primary(cell: Estimate) -> bool:
    if cell.estimate is None:
        return True
    if cell.ci_low is None:  # no interval: as careful as with a share of 0% or 100%
        return cell.n < MIN_N_EXTREME
    return disclosure.hides_share(cell.n, min(max(cell.estimate, 0.0), 1.0))


def flags(cell: Estimate) -> tuple[str, ...]:
    out = []
    if cell.n_eff < MIN_EFFECTIVE_N:
        out.append(FLAG_SMALL)
    if (
        cell.ci_low is not None
        and cell.ci_high is not None
        and cell.ci_high - cell.ci_low > MAX_WIDTH
    ):
        out.append(FLAG_WIDE)
    return tuple(out)


def _groups(
    cells: list[Estimate], function_tier: dict[str, str]
) -> list[tuple[Estimate | None, list[Estimate]]]:
    """(whole, parts) of one indicator: every breakdown against the total, the functions of
    each tier against that tier."""
    total = next((c for c in cells if not c.breakdown), None)
    by_breakdown: dict[str, list[Estimate]] = defaultdict(list)
    for c in cells:
        if c.breakdown:
            by_breakdown[c.breakdown].append(c)
    groups: list[tuple[Estimate | None, list[Estimate]]] = [
        (total, parts) for parts in by_breakdown.values()
    ]
    tiers = {c.level: c for c in by_breakdown.get("tier", [])}
    nested: dict[str, list[Estimate]] = defaultdict(list)
    for c in by_breakdown.get("function", []):
        tier = function_tier.get(c.level)
        if tier:
            nested[tier].append(c)
    for tier, parts in nested.items():
        groups.append((tiers.get(tier), parts))
    return groups


def protect(cells: Iterable[Estimate], function_tier: dict[str, str] | None = None) -> None:
    """Set ``status`` and ``flags`` of every cell in place."""
    by_indicator: dict[str, list[Estimate]] = defaultdict(list)
    for c in cells:
        c.status = "primary" if primary(c) else "shown"
        by_indicator[c.indicator].append(c)
    for group_cells in by_indicator.values():
        # In level order, so that of two equally small parts the first level is hidden.
        group_cells.sort(key=lambda c: (c.breakdown or "", c.level or ""))
        index = {id(c): i for i, c in enumerate(group_cells)}
        lines, wholes = [], []
        for whole, parts in _groups(group_cells, function_tier or {}):
            line = [index[id(p)] for p in parts]
            if whole is not None:
                line.append(index[id(whole)])
                wholes.append(index[id(whole)])
            lines.append(line)
        hidden = disclosure.secondary(
            [c.n for c in group_cells], [not c.shown for c in group_cells], lines, wholes=wholes
        )
        for c, h in zip(group_cells, hidden, strict=True):
            if h and c.shown:
                c.status = "secondary"
            c.flags = flags(c) if c.shown else ()


def function_tiers(strata: Iterable[str]) -> dict[str, str]:
    """function → tier, for functions that occur in exactly one tier (``tier:function``)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for s in strata:
        tier, _, function = s.partition(":")
        seen[function].add(tier)
    return {f: next(iter(t)) for f, t in seen.items() if len(t) == 1}
