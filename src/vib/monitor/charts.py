"""SVG charts written from the numbers (ADR 0075): no plotting library, every chart with a
``<title>`` and ``<desc>`` (the figures in words) and a data table beside it in the report.

Only presentation attributes are used (no ``style``), so the charts pass the CSP as inline SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

BAR = "#01689b"  # Rijksoverheid blue: contrast ≥ 4.5 against white
WHISKER = "#154273"
GRID = "#b4b4b4"
TEXT = "#1a1a1a"
REFERENCE = "#ca005d"
RESTATED = "#6b6b6b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden (disclosure control)
    low: float | None = None
    high: float | None = None


def _pct(v: float) -> str:
    return f"{round(100 * v)}%"


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar], *, width: int = 560) -> str:
    label_w, right = 190, 50
    row_h, top = 24, 24
    height = top + row_h * len(bars) + 24
    plot_w = width - label_w - right
    peak = max([b.high or b.value or 0 for b in bars] + [0.1])
    scale_max = min(1.0, (int(peak * 10) + 1) / 10)

    def x(v: float) -> float:
        return label_w + plot_w * v / scale_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="vib-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    ticks = [i / 10 for i in range(0, round(scale_max * 10) + 1, 2 if scale_max > 0.5 else 1)]
    for t in ticks:
        parts.append(
            f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 24}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{x(t):.1f}" y="{height - 8}" font-size="10" text-anchor="middle" '
            f'fill="{TEXT}">{_pct(t)}</text>'
        )
    for i, b in enumerate(bars):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end" '
            f'fill="{TEXT}">{escape(b.label)}</text>'
        )
        if b.value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + 14}" font-size="11" fill="{TEXT}">x</text>'
            )
            continue
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{max(x(b.value) - label_w, 0.5):.1f}" '
            f'height="{row_h - 8}" fill="{BAR}"/>'
        )
        if b.low is not None and b.high is not None:
            mid = y + row_h / 2 - 1
            parts.append(
                f'<line x1="{x(b.low):.1f}" y1="{mid}" x2="{x(b.high):.1f}" y2="{mid}" '
                f'stroke="{WHISKER}" stroke-width="1.5"/>'
                f'<line x1="{x(b.low):.1f}" y1="{mid - 5}" x2="{x(b.low):.1f}" y2="{mid + 5}" '
                f'stroke="{WHISKER}" stroke-width="1.5"/>'
                f'<line x1="{x(b.high):.1f}" y1="{mid - 5}" x2="{x(b.high):.1f}" '
                f'y2="{mid + 5}" stroke="{WHISKER}" stroke-width="1.5"/>'
            )
        end = x(b.high if b.high is not None else b.value)
        parts.append(
            f'<text x="{end + 4:.1f}" y="{y + 14}" font-size="11" fill="{TEXT}">'
            f"{_pct(b.value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    low: float | None = None
    high: float | None = None
    kind: str = "published"  # published | restated | estimate


def trend_chart(
    chart_id: str, title: str, desc: str, points: list[Point], *, width: int = 560
) -> str:
    left, right, top, bottom = 44, 16, 16, 40
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

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="vib-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i in range(0, round(vmax * 10) + 1):
        v = i / 10
        parts.append(
            f'<line x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{py(v) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="{TEXT}">{_pct(v)}</text>'
        )
    for year in years:
        parts.append(
            f'<text x="{px(year):.1f}" y="{height - bottom + 16}" font-size="10" '
            f'text-anchor="middle" fill="{TEXT}">{year}</text>'
        )
    published = sorted((p for p in points if p.kind == "published"), key=lambda p: p.year)
    if len(published) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{px(p.year):.1f},{py(p.value):.1f}"
            for i, p in enumerate(published)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="{REFERENCE}" stroke-width="2"/>')
    for p in points:
        cx, cy = px(p.year), py(p.value)
        if p.kind == "published":
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{REFERENCE}"/>')
        elif p.kind == "restated":
            parts.append(
                f'<rect x="{cx - 4:.1f}" y="{cy - 4:.1f}" width="8" height="8" fill="none" '
                f'stroke="{RESTATED}" stroke-width="1.5"/>'
            )
        else:
            if p.low is not None and p.high is not None:
                parts.append(
                    f'<line x1="{cx + 8:.1f}" y1="{py(p.low):.1f}" x2="{cx + 8:.1f}" '
                    f'y2="{py(p.high):.1f}" stroke="{WHISKER}" stroke-width="1.5"/>'
                )
            parts.append(
                f'<path d="M{cx + 8:.1f},{cy - 6:.1f} L{cx + 14:.1f},{cy:.1f} '
                f'L{cx + 8:.1f},{cy + 6:.1f} L{cx + 2:.1f},{cy:.1f} Z" fill="{BAR}"/>'
            )
    # legend
    ly = height - 10
    parts.append(
        f'<circle cx="{left + 4}" cy="{ly - 4}" r="4" fill="{REFERENCE}"/>'
        f'<text x="{left + 12}" y="{ly}" font-size="10" fill="{TEXT}">gepubliceerd</text>'
        f'<rect x="{left + 96}" y="{ly - 8}" width="8" height="8" fill="none" '
        f'stroke="{RESTATED}" stroke-width="1.5"/>'
        f'<text x="{left + 108}" y="{ly}" font-size="10" fill="{TEXT}">herberekend</text>'
        f'<path d="M{left + 200},{ly - 10} L{left + 206},{ly - 4} L{left + 200},{ly + 2} '
        f'L{left + 194},{ly - 4} Z" fill="{BAR}"/>'
        f'<text x="{left + 212}" y="{ly}" font-size="10" fill="{TEXT}">'
        f"deze analyse (95%-interval)</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
