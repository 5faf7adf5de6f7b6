"""SVG charts written from the numbers (ADR 0075): no plotting library, every chart with a
``<title>`` and ``<desc>`` (the figures in words) and a data table beside it in the report.

Only presentation attributes are used (no ``style``), so the charts pass the CSP as inline SVG.

Labels are measured, not guessed (ADR 0118): ``text_width`` sums the advance widths of the
report's font (``settings.MONITOR_REPORT_FONT``, DejaVu Sans), so the label column of a bar
chart is as wide as its longest label, a label wider than ``LABEL_MAX`` wraps to two lines, and
the figures right of the bars get the room they need. Every figure is written by
``vib.monitor.figures`` (decimal comma, "12%").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from vib.monitor.figures import percent

logger = logging.getLogger(__name__)

BAR = "#01689b"  # Rijksoverheid blue: contrast ≥ 4.5 against white
WHISKER = "#154273"
GRID = "#b4b4b4"
TEXT = "#1a1a1a"
REFERENCE = "#ca005d"
RESTATED = "#6b6b6b"
FONT = "DejaVu Sans, sans-serif"
FALLBACK_EM = 0.72  # without the font file: wider than DejaVu Sans' widest lower-case letters

LABEL_SIZE = 11
TICK_SIZE = 10
LABEL_MAX = 200  # a label wider than this (user units) wraps to two lines
LINE = 13  # line height of a two-line label


@cache
def _advances(path: str) -> tuple[dict[int, int], int, int] | None:
    """The font's advance width per code point, its default advance and units per em."""
    if not Path(path).is_file():
        logger.warning("monitor report font %s not found: chart labels use an estimate", path)
        return None
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    hmtx = font["hmtx"]
    widths = {cp: hmtx[name][0] for cp, name in font.getBestCmap().items()}
    return widths, hmtx[".notdef"][0], font["head"].unitsPerEm


def text_width(text: str, size: float) -> float:
    """The width of ``text`` set at ``size`` in the report's font (without kerning, which
    only narrows: an upper bound)."""
    from django.conf import settings

    metrics = _advances(str(settings.MONITOR_REPORT_FONT))
    if metrics is None:
        return len(text) * size * FALLBACK_EM
    widths, default, upem = metrics
    return sum(widths.get(ord(ch), default) for ch in text) * size / upem


def wrap_label(text: str, size: float = LABEL_SIZE, limit: float = LABEL_MAX) -> list[str]:
    """One line when it fits ``limit``, else the two-line split with the narrowest widest
    line (a single long word stays one line: the column grows instead)."""
    if text_width(text, size) <= limit:
        return [text]
    words = text.split()
    if len(words) < 2:
        return [text]
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    best = min(splits, key=lambda s: max(text_width(s[0], size), text_width(s[1], size)))
    return list(best)


def _text(x: float, y: float, text: str, size: float, anchor: str = "start") -> str:
    a = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{a} fill="{TEXT}">{escape(text)}</text>'
    )


def _svg_open(chart_id: str, title: str, desc: str, width: float, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="vib-chart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="{FONT}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden (disclosure control)
    low: float | None = None
    high: float | None = None


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar], *, width: int = 560) -> str:
    pad, gap = 4, 6
    lines = [wrap_label(b.label) for b in bars]
    label_w = pad + gap + max([text_width(s, LABEL_SIZE) for ls in lines for s in ls] + [0])
    figures = [text_width(percent(b.value), LABEL_SIZE) for b in bars if b.value is not None]
    right = max([*figures, text_width("100%", TICK_SIZE) / 2]) + 8
    plot_w = width - label_w - right
    if plot_w < 160:  # very long labels: the chart grows rather than squeezing the bars
        width = round(label_w + right + 160)
        plot_w = width - label_w - right
    rows_h = [24 if len(ls) == 1 else 24 + LINE for ls in lines]
    top = 12
    height = top + sum(rows_h) + 24
    peak = max([b.high or b.value or 0 for b in bars] + [0.1])
    scale_max = min(1.0, (int(peak * 10) + 1) / 10)

    def x(v: float) -> float:
        return label_w + plot_w * v / scale_max

    parts = _svg_open(chart_id, title, desc, width, height)
    ticks = [i / 10 for i in range(0, round(scale_max * 10) + 1, 2 if scale_max > 0.5 else 1)]
    for t in ticks:
        parts.append(
            f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 24}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            + _text(x(t), height - 8, percent(t), TICK_SIZE, "middle")
        )
    y = top
    for b, ls, h in zip(bars, lines, rows_h, strict=True):
        mid = y + h / 2
        first = mid + 4 - (LINE / 2) * (len(ls) - 1)
        for k, line in enumerate(ls):
            parts.append(_text(label_w - gap, first + k * LINE, line, LABEL_SIZE, "end"))
        if b.value is None:
            parts.append(_text(label_w + 4, mid + 4, "x", LABEL_SIZE))
            y += h
            continue
        parts.append(
            f'<rect x="{label_w:.1f}" y="{mid - 8:.1f}" '
            f'width="{max(x(b.value) - label_w, 0.5):.1f}" height="16" fill="{BAR}"/>'
        )
        if b.low is not None and b.high is not None:
            w = f'stroke="{WHISKER}" stroke-width="1.5"'
            parts.append(
                f'<line x1="{x(b.low):.1f}" y1="{mid:.1f}" x2="{x(b.high):.1f}" '
                f'y2="{mid:.1f}" {w}/>'
                f'<line x1="{x(b.low):.1f}" y1="{mid - 5:.1f}" x2="{x(b.low):.1f}" '
                f'y2="{mid + 5:.1f}" {w}/>'
                f'<line x1="{x(b.high):.1f}" y1="{mid - 5:.1f}" x2="{x(b.high):.1f}" '
                f'y2="{mid + 5:.1f}" {w}/>'
            )
        end = x(b.high if b.high is not None else b.value)
        parts.append(_text(end + 4, mid + 4, percent(b.value), LABEL_SIZE))
        y += h
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    low: float | None = None
    high: float | None = None
    kind: str = "published"  # published | restated | estimate


LEGEND = (
    ("published", "gepubliceerd"),
    ("restated", "herberekend"),
    ("estimate", "deze analyse (95%-interval)"),
)


def _marker(kind: str, cx: float, cy: float) -> str:
    if kind == "published":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{REFERENCE}"/>'
    if kind == "restated":
        return (
            f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" fill="none" '
            f'stroke="{RESTATED}" stroke-width="1.5"/>'
        )
    return (
        f'<path d="M{cx:.1f},{cy - 6:.1f} L{cx + 6:.1f},{cy:.1f} '
        f'L{cx:.1f},{cy + 6:.1f} L{cx - 6:.1f},{cy:.1f} Z" fill="{BAR}"/>'
    )


def trend_chart(
    chart_id: str, title: str, desc: str, points: list[Point], *, width: int = 560
) -> str:
    top, bottom, right = 16, 40, 16
    left = 10 + text_width("100%", TICK_SIZE)
    height = 240
    years = sorted({p.year for p in points})
    y0, y1 = min(years), max(years)
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([p.high or p.value for p in points] + [0.1])
    vmax = min(1.0, (int(peak * 10) + 1) / 10)

    def px(year: int) -> float:
        return left + (plot_w * (year - y0) / (y1 - y0) if y1 > y0 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (1 - v / vmax)

    parts = _svg_open(chart_id, title, desc, width, height)
    for i in range(0, round(vmax * 10) + 1):
        v = i / 10
        parts.append(
            f'<line x1="{left:.1f}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            + _text(left - 6, py(v) + 4, percent(v), TICK_SIZE, "end")
        )
    for year in years:
        parts.append(_text(px(year), height - bottom + 16, str(year), TICK_SIZE, "middle"))
    published = sorted((p for p in points if p.kind == "published"), key=lambda p: p.year)
    if len(published) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{px(p.year):.1f},{py(p.value):.1f}"
            for i, p in enumerate(published)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="{REFERENCE}" stroke-width="2"/>')
    for p in points:
        cx, cy = px(p.year), py(p.value)
        if p.kind == "estimate":
            cx += 8  # beside the published figure of the same year
            if p.low is not None and p.high is not None:
                parts.append(
                    f'<line x1="{cx:.1f}" y1="{py(p.low):.1f}" x2="{cx:.1f}" '
                    f'y2="{py(p.high):.1f}" stroke="{WHISKER}" stroke-width="1.5"/>'
                )
        parts.append(_marker(p.kind, cx, cy))
    lx, ly = left + 4, height - 10
    for kind, label in LEGEND:
        parts.append(_marker(kind, lx, ly - 4) + _text(lx + 8, ly, label, TICK_SIZE))
        lx += 8 + text_width(label, TICK_SIZE) + 20
    parts.append("</svg>")
    return "".join(parts)
