# ruff: noqa: RUF002 — Dutch examples with a minus sign
"""Key findings in plain Dutch, phrased from the numbers (ADR 0074).

``share_phrase(0.27)`` → "ruim een kwart". The phrase is chosen from the estimate alone:
the nearest simple fraction within ``TOLERANCE``, with "ruim" above it, "bijna" below it and
"ongeveer" within half a percentage point; otherwise the rounded percentage ("7%", never
"7 procent (7%)"). ``phrase_bounds`` gives back the interval a phrase claims, so a test can check
every finding against its number.

``change_phrase`` words a change against the previous edition by one rule (ADR 0119): "gestegen"
or "gedaald" only when the test of the change is significant, otherwise "niet significant
veranderd" — whatever the size of the difference — always with the difference in procentpunten
and its 95%-interval.
The report is in Dutch (the publication language); the phrases are therefore not translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from vib.monitor.figures import percent, points, points_range

# (value, phrase) — simple fractions a reader recognises.
ANCHORS: tuple[tuple[float, str], ...] = (
    (0.10, "een op de tien"),
    (0.20, "een op de vijf"),
    (0.25, "een kwart"),
    (1 / 3, "een derde"),
    (0.40, "twee op de vijf"),
    (0.50, "de helft"),
    (0.60, "drie op de vijf"),
    (2 / 3, "twee derde"),
    (0.75, "driekwart"),
    (0.80, "vier op de vijf"),
    (0.90, "negen op de tien"),
)
TOLERANCE = 0.04  # at most this far from the fraction …
RELATIVE = 0.15  # … and at most 15% of it (7% is not "bijna een op de tien")
EXACT = 0.005


def tolerance(anchor: float) -> float:
    return min(TOLERANCE, RELATIVE * anchor)


def share_phrase(p: float) -> str:
    """Plain Dutch for a proportion (0..1)."""
    anchor, words = min(ANCHORS, key=lambda a: abs(a[0] - p))
    diff = p - anchor
    if abs(diff) > tolerance(anchor):
        return percent(p)
    if abs(diff) <= EXACT:
        return f"ongeveer {words}"
    return f"{'ruim' if diff > 0 else 'bijna'} {words}"


def phrase_bounds(phrase: str) -> tuple[float, float]:
    """The interval of proportions a phrase of ``share_phrase`` stands for."""
    if phrase.endswith("%"):
        v = int(phrase[:-1]) / 100
        return (v - 0.005, v + 0.005)
    qualifier, _, words = phrase.partition(" ")
    anchor = next(a for a, w in ANCHORS if w == words)
    if qualifier == "ongeveer":
        return (anchor - EXACT, anchor + EXACT)
    if qualifier == "ruim":
        return (anchor + EXACT, anchor + tolerance(anchor))
    if qualifier == "bijna":
        return (anchor - tolerance(anchor), anchor - EXACT)
    raise ValueError(phrase)


def with_percent(phrase: str, p: float) -> str:
    """ "ruim een kwart (27%)"; a phrase that is already the percentage stays "7%"."""
    return phrase if phrase == percent(p) else f"{phrase} ({percent(p)})"


RISE, FALL, NO_CHANGE = "gestegen", "gedaald", "niet significant veranderd"


def change_verdict(difference: float, significant: bool) -> str:
    """The one rule: a direction only for a significant change."""
    if not significant:
        return NO_CHANGE
    return RISE if difference > 0 else FALL


def change_phrase(
    *,
    difference: float,
    low: float,
    high: float,
    significant: bool,
    previous: float,
    previous_year: int,
) -> str:
    """ "gestegen van 23% in 2014 (+4 procentpunt, 95%-interval +1 tot +7)" or "niet
    significant veranderd ten opzichte van 2014 (23%; −2 procentpunt, 95%-interval −6 tot +2)"."""
    verdict = change_verdict(difference, significant)
    detail = f"{points(difference)} procentpunt, 95%-interval {points_range(low, high)}"
    if verdict == NO_CHANGE:
        return f"{verdict} ten opzichte van {previous_year} ({percent(previous)}; {detail})"
    return f"{verdict} van {percent(previous)} in {previous_year} ({detail})"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Finding:
    text: str
    indicator: str
    value: float  # the estimate the phrase is about
    phrase: str  # the share_phrase used ("" when the text has no phrase)
    comparison: float | None = None  # the figure compared with, if any
    direction: str = ""  # RISE | FALL | NO_CHANGE against the comparison
    significant: bool | None = None
