"""Key findings in plain Dutch, phrased from the numbers (ADR 0074).

``share_phrase(0.27)`` → "ruim een kwart". The phrase is chosen from the estimate alone:
the nearest simple fraction within ``TOLERANCE``, with "ruim" above it, "bijna" below it and
"ongeveer" within half a percentage point; otherwise the rounded percentage. ``phrase_bounds``
gives back the interval a phrase claims, so a test can check every finding against its number.
The report is in Dutch (the publication language); the phrases are therefore not translated.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def percent(p: float) -> str:
    return f"{round(100 * p)}%"


def share_phrase(p: float) -> str:
    """Plain Dutch for a proportion (0..1)."""
    anchor, words = min(ANCHORS, key=lambda a: abs(a[0] - p))
    diff = p - anchor
    if abs(diff) > tolerance(anchor):
        return f"{round(100 * p)} procent"
    if abs(diff) <= EXACT:
        return f"ongeveer {words}"
    return f"{'ruim' if diff > 0 else 'bijna'} {words}"


def phrase_bounds(phrase: str) -> tuple[float, float]:
    """The interval of proportions a phrase of ``share_phrase`` stands for."""
    if phrase.endswith(" procent"):
        v = int(phrase.split()[0]) / 100
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


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Finding:
    text: str
    indicator: str
    value: float  # the estimate the phrase is about
    phrase: str  # the share_phrase used ("" when the text has no phrase)
    comparison: float | None = None  # the figure compared with, if any
    direction: str = ""  # "hoger" | "lager" | "gelijk" against the comparison
    significant: bool | None = None
