"""The monitor report: analysis → disclosure control → findings, charts and factsheets →
HTML (one template for the web and the PDF) → PDF, written with its analysis bundle.

Nothing here reads the database: ``vib.monitor.inputs.report_input`` gathers the responses,
frame counts and registrations through the other modules' selectors, so the benchmark and the
tests can feed synthetic waves of any size.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scipy import stats as sps

from vib.core import disclosure as core_disclosure
from vib.monitor import charts, disclosure, findings
from vib.monitor.analysis import (
    ChangeResult,
    Estimate,
    InstrumentInput,
    InstrumentResult,
    analyse_instrument,
)
from vib.monitor.figures import integer, p_value, percent, percent_range, points, points_range
from vib.monitor.indicators import Indicator, IndicatorSet, load_indicators
from vib.monitor.reference import Series, load_reference
from vib.monitor.registrations import Registrations
from vib.monitor.texts import TEXTS, level_label

type Progress = Callable[[int, str], None]
INSTRUMENT_ORDER = ("office_holders", "employees", "organisations")
HEADLINE = {"office_holders": "oh_ag_any", "employees": "emp_ag_any"}


@dataclass(frozen=True)
class OrganisationInfo:
    code: str
    name: str
    tier: str
    size_class: str
    province: str | None


@dataclass
class ReportInput:
    edition: int
    title: str
    sources: dict[str, InstrumentInput]
    registrations: Registrations | None = None
    organisations: dict[str, OrganisationInfo] = field(default_factory=dict)
    language: str = "nl"
    indicator_version: str = "2016.1"
    # The previous wave's microdata per instrument (ADR 0139): its change is then the
    # design-based contrast between the waves, not the test against a published figure.
    previous_edition: int | None = None
    previous_sources: dict[str, InstrumentInput] = field(default_factory=dict)


# --- presentation rows ---------------------------------------------------------------------------


def pct(v: float | None) -> str:
    return percent(v)


def interval(c: Estimate) -> str:
    """The 95% interval as printed: "21-35%" with an en dash."""
    return percent_range(c.ci_low, c.ci_high)


@dataclass(frozen=True)
class Cell:
    """One published cell: everything the template may print of it."""

    id: str
    label: str
    hidden: bool
    text: str  # "27%" or "x"
    interval: str
    n: str
    flags: str
    estimate: float | None  # None when hidden

    @classmethod
    def of(cls, c: Estimate, label: str) -> Cell:
        cid = "-".join(p for p in (c.indicator, c.breakdown, c.level) if p).replace(" ", "_")
        if not c.shown:
            return cls(cid, label, True, disclosure.HIDDEN, "", "", "", None)
        return cls(
            cid,
            label,
            False,
            pct(c.estimate),
            interval(c),
            integer(c.n),
            "".join(c.flags),
            c.estimate,
        )


@dataclass
class Breakdown:
    key: str
    title: str
    cells: list[Cell]
    chart: str = ""


@dataclass
class IndicatorBlock:
    indicator: Indicator
    label: str
    total: Cell
    breakdowns: list[Breakdown]


@dataclass
class TrendRow:
    year: int
    figure: str
    source: str
    edition: str
    restated: bool


@dataclass
class Trend:
    series: Series
    chart: str
    rows: list[TrendRow]


@dataclass
class Change:
    """The change of an indicator against the previous edition and its test (ADR 0119)."""

    indicator: str
    label: str
    current: str
    previous: str
    previous_year: int
    previous_source: str
    difference: float
    p_value: float
    significant: bool
    method: str  # STACKED (contrast between the waves' microdata) | PUBLISHED (ADR 0119)
    previous_value: float = 0.0
    low: float = 0.0  # 95% interval of the difference
    high: float = 0.0
    level: str = ""  # "" for the whole population, else the tier

    @property
    def verdict(self) -> str:
        return findings.change_verdict(self.difference, self.significant)

    @property
    def difference_text(self) -> str:
        return points(self.difference)

    @property
    def interval_text(self) -> str:
        return points_range(self.low, self.high)

    @property
    def p_text(self) -> str:
        return p_value(self.p_value)

    @property
    def phrase(self) -> str:
        return findings.change_phrase(
            difference=self.difference,
            low=self.low,
            high=self.high,
            significant=self.significant,
            previous=self.previous_value,
            previous_year=self.previous_year,
        )


@dataclass
class SummaryRow:
    group: str  # "Totaal" or a tier
    cell: Cell
    change: Change | None


@dataclass
class SummaryIndicator:
    label: str
    rows: list[SummaryRow]


@dataclass
class SummaryTable:
    """Per instrument: its key indicators, total and per tier, with the change."""

    instrument: str
    title: str
    indicators: list[SummaryIndicator]


@dataclass
class Chapter:
    id: str
    title: str
    instrument: str
    summary_columns: list[str]
    summary_rows: list[tuple[str, Cell, list[Cell]]]
    blocks: list[IndicatorBlock]
    trends: list[Trend] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def change_methods(self) -> set[str]:
        return {c.method for c in self.changes}


@dataclass
class ProvinceSheet:
    province: str
    allowed: bool
    rows: list[tuple[str, Cell, Cell]]  # label, province, national


@dataclass
class OrganisationSheet:
    code: str
    name: str
    group_label: str
    group_size: int
    rows: list[tuple[str, str, str]]  # label, own answer, comparable share "yes"


@dataclass
class Report:
    input: ReportInput
    indicators: IndicatorSet
    results: dict[str, InstrumentResult]
    chapters: list[Chapter]
    findings: list[findings.Finding]
    summary_tables: list[SummaryTable]
    province_sheets: list[ProvinceSheet]
    organisation_sheets: list[OrganisationSheet]
    method_rows: list[dict[str, Any]]
    weighted_vs_unweighted: list[dict[str, Any]]
    generated: dt.datetime
    texts: dict[str, str]
    hidden_values: list[float] = field(default_factory=list)

    @property
    def refused_provinces(self) -> list[str]:
        """Provinces without a factsheet: named once, in one sentence."""
        return [s.province for s in self.province_sheets if not s.allowed]

    def cells(self) -> list[Estimate]:
        return [e for r in self.results.values() for e in r.estimates]

    @property
    def change_methods(self) -> set[str]:
        """How the summary's changes were tested: STACKED and/or PUBLISHED (the report says)."""
        rows = (r for t in self.summary_tables for i in t.indicators for r in i.rows)
        return {c.method for ch in self.chapters for c in ch.changes} | {
            r.change.method for r in rows if r.change is not None
        }


# --- building -------------------------------------------------------------------------------------


def _label(ind: Indicator, language: str) -> str:
    return ind.label_nl if language == "nl" else ind.label_en


def _chapter(
    chapter_id: str,
    title: str,
    instrument: str,
    indicators: list[Indicator],
    cells: dict[tuple[str, str, str], Estimate],
    language: str,
    texts: dict[str, str],
) -> Chapter:
    tiers = sorted({k[2] for k in cells if k[1] == "tier" and k[0] in {i.id for i in indicators}})
    summary_rows = []
    blocks = []
    for ind in indicators:
        total = cells.get((ind.id, "", ""))
        if total is None:
            continue
        label = _label(ind, language)
        tier_cells = [
            Cell.of(cells[(ind.id, "tier", t)], level_label(language, "tier", t))
            if (ind.id, "tier", t) in cells
            else Cell("", "", True, "", "", "", "", None)
            for t in tiers
        ]
        summary_rows.append((label, Cell.of(total, texts["total"]), tier_cells))
        breakdowns = []
        for b in ind.breakdowns:
            rows = [c for k, c in cells.items() if k[0] == ind.id and k[1] == b]
            if not rows:
                continue
            bcells = [Cell.of(c, level_label(language, b, c.level)) for c in rows]
            chart = ""
            if ind.key:
                bars = [
                    charts.Bar(
                        cell.label,
                        cell.estimate,
                        rows[i].ci_low if not cell.hidden else None,
                        rows[i].ci_high if not cell.hidden else None,
                    )
                    for i, cell in enumerate(bcells)
                ]
                desc = "; ".join(
                    f"{cell.label}: {cell.text}"
                    + (f" ({texts['interval']} {cell.interval})" if cell.interval else "")
                    for cell in bcells
                )
                chart = charts.bar_chart(f"chart-{ind.id}-{b}", f"{label} — {texts[b]}", desc, bars)
            breakdowns.append(Breakdown(b, texts[b], bcells, chart))
        blocks.append(IndicatorBlock(ind, label, Cell.of(total, texts["total"]), breakdowns))
    return Chapter(
        id=chapter_id,
        title=title,
        instrument=instrument,
        summary_columns=[level_label(language, "tier", t) for t in tiers],
        summary_rows=summary_rows,
        blocks=blocks,
    )


def _trend(
    series: Series, current: Estimate | None, edition: int, texts: dict[str, str], label: str
) -> Trend:
    points = [charts.Point(f.year, f.value, kind="published") for f in series.as_published()]
    points += [charts.Point(f.year, f.value, kind="restated") for f in series.restatements()]
    rows = [
        TrendRow(f.year, pct(f.value), f.source, str(f.edition), f.restated)
        for f in sorted(series.figures, key=lambda f: (f.year, f.edition))
    ]
    if current is not None and current.shown and current.estimate is not None:
        points.append(
            charts.Point(edition, current.estimate, current.ci_low, current.ci_high, "estimate")
        )
        rows.append(
            TrendRow(
                edition,
                f"{pct(current.estimate)} ({interval(current)})",
                texts["this_analysis"],
                str(edition),
                False,
            )
        )
    desc = "; ".join(
        f"{r.year}: {r.figure} ({r.source}{', ' + texts['restated'] if r.restated else ''})"
        for r in rows
    )
    chart = charts.trend_chart(f"trend-{series.id}", f"{label} — {texts['trend']}", desc, points)
    return Trend(series, chart, rows)


STACKED, PUBLISHED = "stacked", "published"


def _stacked_changes(
    results: dict[str, InstrumentResult],
    cells: dict[tuple[str, str, str], Estimate],
    indicator_set: IndicatorSet,
    language: str,
) -> dict[tuple[str, str], Change]:
    """(indicator, tier or "") → the change as the contrast between the waves' microdata
    (ADR 0139), where this edition's cell and the previous edition's both pass disclosure
    control."""
    out: dict[tuple[str, str], Change] = {}
    for res in results.values():
        if res.change is None:
            continue
        for c in res.change.contrasts:
            now = cells.get((c.indicator, "tier" if c.level else "", c.level))
            if now is None or not now.shown or not c.earlier.shown:
                continue
            assert c.earlier.estimate is not None
            out[(c.indicator, c.level)] = Change(
                indicator=c.indicator,
                label=_label(indicator_set.by_id[c.indicator], language),
                current=pct(now.estimate),
                previous=pct(c.earlier.estimate),
                previous_year=res.change.earlier,
                previous_source=TEXTS[language]["change_source"].format(year=res.change.earlier),
                difference=c.difference,
                p_value=c.p_value,
                significant=c.p_value < 0.05,
                method=STACKED,
                previous_value=c.earlier.estimate,
                low=c.low,
                high=c.high,
                level=c.level,
            )
    return out


def _change(
    ind: Indicator, series: Series, current: Estimate, edition: int, language: str
) -> Change | None:
    prev = series.previous(edition)
    if prev is None or not current.shown or current.estimate is None or not current.se:
        return None
    diff = current.estimate - prev.value
    df = current.df if current.df and current.df > 0 else math.inf
    t = diff / current.se
    p = float(2 * sps.t.sf(abs(t), df))
    half = float(sps.t.ppf(0.975, df)) * current.se
    return Change(
        indicator=ind.id,
        label=_label(ind, language),
        current=pct(current.estimate),
        previous=pct(prev.value),
        previous_year=prev.year,
        previous_source=f"{prev.source}, editie {prev.edition}",
        difference=diff,
        p_value=p,
        significant=p < 0.05,
        method=PUBLISHED,
        previous_value=prev.value,
        low=diff - half,
        high=diff + half,
    )


FINDING_TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "oh_ag_any",
        "{share} van de politieke ambtsdragers heeft in de afgelopen twaalf maanden agressie "
        "of geweld meegemaakt",
    ),
    (
        "emp_ag_any",
        "Van de medewerkers in het openbaar bestuur heeft {share} in de afgelopen twaalf "
        "maanden agressie of geweld meegemaakt",
    ),
    (
        "oh_ch_social_media",
        "Bij {share} van de ambtsdragers die agressie of geweld meemaakten, gebeurde dat (ook) "
        "via sociale media",
    ),
    (
        "oh_influence",
        "{share} van de politieke ambtsdragers zegt dat agressie of geweld hun besluitvorming "
        "heeft beïnvloed",
    ),
    (
        "org_registration",
        "{share} van de organisaties registreert voorvallen van agressie en geweld",
    ),
    (
        "oh_int_seen_any",
        "{share} van de politieke ambtsdragers zag of vermoedde een integriteitsschending bij "
        "collega-bestuurders",
    ),
)
FINDING_INDICATORS = {ind for ind, _ in FINDING_TEMPLATES}


def _findings(
    cells: dict[tuple[str, str, str], Estimate], changes: list[Change], language: str
) -> list[findings.Finding]:
    """The summary's statements, findings first: the share in plain Dutch with the
    interval, and where the previous edition published the figure, the change by the rule of
    ``findings.change_phrase`` (a direction only when the test is significant)."""
    out: list[findings.Finding] = []

    def shown(key: tuple[str, str, str]) -> Estimate | None:
        c = cells.get(key)
        return c if c is not None and c.shown and c.estimate is not None else None

    for ind_id, template in FINDING_TEMPLATES:
        c = shown((ind_id, "", ""))
        if c is None or c.estimate is None:
            continue
        phrase = findings.share_phrase(c.estimate)
        text = template.format(share=findings.with_percent(phrase, c.estimate))
        ci = f"95%-interval {interval(c)}" if interval(c) else ""
        change = next((ch for ch in changes if ch.indicator == ind_id and not ch.level), None)
        if change is None:
            text += f" ({ci})." if ci else "."
            out.append(findings.Finding(findings.capitalise(text), ind_id, c.estimate, phrase))
            continue
        text += f" ({ci}); dat is {change.phrase}."
        out.append(
            findings.Finding(
                findings.capitalise(text),
                ind_id,
                c.estimate,
                phrase,
                comparison=change.previous_value,
                direction=change.verdict,
                significant=change.significant,
            )
        )
    functions = [
        c
        for k, c in cells.items()
        if k[0] == "oh_ag_any" and k[1] == "function" and c.shown and c.estimate is not None
    ]
    if functions:
        top = max(functions, key=lambda c: c.estimate or 0.0)
        assert top.estimate is not None
        phrase = findings.share_phrase(top.estimate)
        out.append(
            findings.Finding(
                f"Van de {level_label(language, 'function', top.level).lower()} maakte "
                f"{findings.with_percent(phrase, top.estimate)} agressie of geweld mee "
                f"(95%-interval {interval(top)}): het hoogste aandeel van alle functies.",
                "oh_ag_any",
                top.estimate,
                phrase,
            )
        )
    return out


def _summary_tables(
    indicators: IndicatorSet,
    cells: dict[tuple[str, str, str], Estimate],
    changes: dict[tuple[str, str], Change],
    language: str,
    texts: dict[str, str],
) -> list[SummaryTable]:
    from vib.monitor.templatetags.monitor_report import instrument_title

    tables = []
    for instrument in INSTRUMENT_ORDER:
        rows = []
        for ind in indicators.for_instrument(instrument):
            total = cells.get((ind.id, "", ""))
            if not ind.key or total is None:
                continue
            change = changes.get((ind.id, ""))
            group = [SummaryRow(texts["total"], Cell.of(total, texts["total"]), change)]
            tiers = sorted(k[2] for k in cells if k[0] == ind.id and k[1] == "tier")
            for t in tiers:
                label = level_label(language, "tier", t)
                cell = Cell.of(cells[(ind.id, "tier", t)], label)
                group.append(SummaryRow(label, cell, changes.get((ind.id, t))))
            rows.append(SummaryIndicator(_label(ind, language), group))
        if rows:
            tables.append(SummaryTable(instrument, instrument_title(instrument, language), rows))
    return tables


def _province_sheets(
    indicators: list[Indicator],
    cells: dict[tuple[str, str, str], Estimate],
    language: str,
    texts: dict[str, str],
) -> list[ProvinceSheet]:
    provinces = sorted({k[2] for k in cells if k[1] == "province"})
    sheets = []
    for prov in provinces:
        rows = []
        for ind in indicators:
            pc = cells.get((ind.id, "province", prov))
            nc = cells.get((ind.id, "", ""))
            if pc is None or nc is None:
                continue
            rows.append((_label(ind, language), Cell.of(pc, prov), Cell.of(nc, texts["national"])))
        allowed = any(not r[1].hidden for r in rows)
        sheets.append(ProvinceSheet(prov, allowed, rows if allowed else []))
    return sheets


ANSWER_NL = {"yes": "ja", "no": "nee", "in_preparation": "in voorbereiding"}


def _answers_by_organisation(
    source: InstrumentInput, indicators: list[Indicator]
) -> dict[str, dict[str, Any]]:
    """organisation code → indicator id → that organisation's answer (where it applies)."""
    t = source.table
    by_org: dict[str, dict[str, Any]] = {}
    for r, code in enumerate(t.get("organisation_code", [])):
        if not code:
            continue
        row = by_org.setdefault(code, {})
        for ind in indicators:
            col = ind.definition.get("column")
            pop = ind.population or {}
            if col is None or col not in t:
                continue
            if "column" in pop and t[pop["column"]][r] not in set(pop["in"]):
                continue
            if t[col][r] is not None:
                row[ind.id] = t[col][r]
    return by_org


def _organisation_sheets(
    source: InstrumentInput | None,
    indicators: list[Indicator],
    organisations: dict[str, OrganisationInfo],
    language: str,
) -> list[OrganisationSheet]:
    """Each organisation's own answers beside comparable organisations (same tier and size
    class): a share only where ``vib.core.disclosure`` allows it for the group of the other
    organisations that answered (ADR 0076, 0121)."""
    if source is None or not organisations:
        return []
    by_org = _answers_by_organisation(source, indicators)
    groups: dict[tuple[str, str], list[str]] = {}
    for code in by_org:
        if (info := organisations.get(code)) is not None:
            groups.setdefault((info.tier, info.size_class), []).append(code)
    sheets = []
    for code in sorted(by_org):
        info = organisations.get(code)
        if info is None:
            continue
        others = [c for c in groups[(info.tier, info.size_class)] if c != code]
        rows = []
        for ind in indicators:
            answers = [by_org[o][ind.id] for o in others if ind.id in by_org[o]]
            share = sum(1 for a in answers if a == "yes") / len(answers) if answers else 0.0
            if core_disclosure.hides_share(len(answers), share):
                continue
            own = str(by_org[code].get(ind.id) or "")
            rows.append((_label(ind, language), ANSWER_NL.get(own, own or "—"), percent(share)))
        if rows:
            sheet = OrganisationSheet(
                code, info.name, f"{info.tier} {info.size_class}", len(others), rows
            )
            sheets.append(sheet)
    return sheets


def build_report(inp: ReportInput, out_dir: Path, progress: Progress | None = None) -> Report:
    """Analyse every instrument into ``out_dir/bundle``, assemble the report, write the bundle."""
    step = progress or (lambda _p, _s: None)
    indicator_set = load_indicators(inp.indicator_version)
    bundle = out_dir / "bundle"
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    results = _analyse(inp, indicator_set, bundle, step)
    step(60, "report")
    report = _assemble(inp, indicator_set, results)
    step(65, "bundle")
    write_bundle(report, bundle)
    return report


def _analyse(
    inp: ReportInput, indicator_set: IndicatorSet, bundle: Path, step: Progress
) -> dict[str, InstrumentResult]:
    """The estimates of every instrument, under disclosure control (ADR 0073)."""
    results: dict[str, InstrumentResult] = {}
    instruments = [i for i in INSTRUMENT_ORDER if i in inp.sources]
    for k, instrument in enumerate(instruments):
        step(5 + 50 * k // len(instruments), f"analyse:{instrument}")
        previous = inp.previous_sources.get(instrument)
        change = None
        if previous is not None and inp.previous_edition is not None:
            ids = {i.id for i in indicator_set.for_instrument(instrument) if i.key}
            change = (inp.previous_edition, inp.edition, previous, ids | FINDING_INDICATORS)
        res = analyse_instrument(inp.sources[instrument], indicator_set, bundle, change=change)
        strata = [s["stratum"] for s in res.response]
        disclosure.protect(res.estimates, disclosure.function_tiers(strata))
        disclosure.protect(res.unweighted, disclosure.function_tiers(strata))
        if res.change is not None:
            disclosure.protect(res.change.previous_estimates())
        results[instrument] = res
    return results


def _assemble(
    inp: ReportInput, indicator_set: IndicatorSet, results: dict[str, InstrumentResult]
) -> Report:
    """The report's parts from the analysed (and protected) estimates: nothing is estimated
    and nothing is written here."""
    texts = TEXTS[inp.language]
    cells = {e.key: e for r in results.values() for e in r.estimates}
    changes = _stacked_changes(results, cells, indicator_set, inp.language)
    stacked = {i for i, r in results.items() if r.change is not None}
    chapters = _chapters(inp, indicator_set, results, cells, changes, stacked)
    all_changes = [change for chapter in chapters for change in chapter.changes]
    for change in all_changes:
        changes.setdefault((change.indicator, ""), change)
    policy = list(indicator_set.for_chapter("policy"))
    report = Report(
        input=inp,
        indicators=indicator_set,
        results=results,
        chapters=chapters,
        findings=_findings(cells, all_changes, inp.language),
        summary_tables=_summary_tables(indicator_set, cells, changes, inp.language, texts),
        province_sheets=_province_sheets(policy, cells, inp.language, texts),
        organisation_sheets=_organisation_sheets(
            inp.sources.get("organisations"), policy, inp.organisations, inp.language
        ),
        method_rows=[
            {"instrument": instrument, "weights": res.weights, "response": res.response}
            for instrument, res in results.items()
        ],
        weighted_vs_unweighted=_weighted_vs_unweighted(inp, indicator_set, results, cells, texts),
        generated=dt.datetime.now(tz=dt.UTC),
        texts=texts,
    )
    report.hidden_values = [
        e.estimate
        for r in results.values()
        for e in (*r.estimates, *r.unweighted)
        if not e.shown and e.estimate is not None
    ]
    return report


def _chapters(
    inp: ReportInput,
    indicator_set: IndicatorSet,
    analysed: dict[str, InstrumentResult],
    cells: dict[Any, Estimate],
    changes: dict[tuple[str, str], Change],
    stacked: set[str],
) -> list[Chapter]:
    """A chapter per part of the indicator set whose instrument was analysed, with its trends
    against the published reference series and the change since the previous edition: the
    contrast between the waves where the previous wave's microdata are in VIB (``changes``),
    else the test against the previous edition's published figure (ADR 0119, 0139)."""
    texts = TEXTS[inp.language]
    reference = load_reference()
    chapters: list[Chapter] = []
    for ch in indicator_set.chapters:
        if ch.instrument not in analysed:
            continue
        chapter = _chapter(
            ch.id,
            ch.title_nl if inp.language == "nl" else ch.title_en,
            ch.instrument,
            indicator_set.for_chapter(ch.id),
            cells,
            inp.language,
            texts,
        )
        for ind in indicator_set.for_chapter(ch.id):
            if (ind.id, "") in changes:
                chapter.changes.append(changes[(ind.id, "")])
            if not (ind.reference and ind.reference in reference):
                continue
            series = reference[ind.reference]
            current = cells.get((ind.id, "", ""))
            chapter.trends.append(
                _trend(series, current, inp.edition, texts, _label(ind, inp.language))
            )
            if ch.instrument in stacked or current is None:
                continue  # the previous wave's microdata decide, not its published figure
            change = _change(ind, series, current, inp.edition, inp.language)
            if change is not None:
                chapter.changes.append(change)
        chapters.append(chapter)
    return chapters


def _weighted_vs_unweighted(
    inp: ReportInput,
    indicator_set: IndicatorSet,
    results: dict[str, InstrumentResult],
    cells: dict[Any, Estimate],
    texts: dict[str, str],
) -> list[dict[str, Any]]:
    """The method chapter's table: each key indicator, total and per tier, weighted beside
    unweighted."""
    comparison = []
    for instrument, res in results.items():
        unweighted = {e.key: e for e in res.unweighted}
        for ind in indicator_set.for_instrument(instrument):
            if not ind.key:
                continue
            keys = [(ind.id, "", "")] + [k for k in unweighted if k[0] == ind.id and k[1] == "tier"]
            for key in keys:
                w, u = cells.get(key), unweighted.get(key)
                if w is None or u is None:
                    continue
                level = texts["total"] if not key[1] else level_label(inp.language, "tier", key[2])
                difference = ""
                if w.shown and u.shown and w.estimate is not None and u.estimate is not None:
                    difference = points(w.estimate - u.estimate, 1)
                comparison.append(
                    {
                        "label": _label(ind, inp.language),
                        "level": level,
                        "weighted": Cell.of(w, level),
                        "unweighted": Cell.of(u, level),
                        "difference": difference,
                    }
                )
    return comparison


# --- the bundle -----------------------------------------------------------------------------------


def published_cells(report: Report) -> list[dict[str, Any]]:
    out = []
    for instrument, res in report.results.items():
        for kind, rows in (("weighted", res.estimates), ("unweighted", res.unweighted)):
            for e in rows:
                spec_id = f"{e.indicator}__{e.breakdown}" if e.breakdown else e.indicator
                out.append(
                    {
                        "instrument": instrument,
                        "spec": f"{instrument}.{'spec' if kind == 'weighted' else kind}.json",
                        "estimate_id": spec_id,
                        "indicator": e.indicator,
                        "breakdown": e.breakdown,
                        "level": e.level,
                        "status": e.status,
                        "flags": list(e.flags),
                        "estimate": e.estimate if e.shown else None,
                        "se": e.se if e.shown else None,
                        "ci_low": e.ci_low if e.shown else None,
                        "ci_high": e.ci_high if e.shown else None,
                        "df": e.df if e.shown else None,
                        "n": e.n if e.shown else None,
                    }
                )
    return out


def published_changes(report: Report) -> list[dict[str, Any]]:
    """Every change the report states (summary and chapters), with its test: the contrast of
    ``<instrument>.change.json`` (method ``stacked``) or the published figure (``published``)."""
    seen: dict[tuple[str, str], Change] = {}
    for table in report.summary_tables:
        for ind in table.indicators:
            for row in ind.rows:
                if row.change is not None:
                    seen[(row.change.indicator, row.change.level)] = row.change
    for chapter in report.chapters:
        for change in chapter.changes:
            seen.setdefault((change.indicator, change.level), change)
    return [
        {
            "indicator": c.indicator,
            "level": c.level,
            "method": c.method,
            "previous_edition": c.previous_year,
            "previous": c.previous_value,
            "difference": c.difference,
            "ci_low": c.low,
            "ci_high": c.high,
            "p_value": c.p_value,
            "significant": c.significant,
            "verdict": c.verdict,
        }
        for c in seen.values()
    ]


def _stacked_codebook(
    change: ChangeResult, cols: dict[str, Any], fixed: dict[str, str]
) -> dict[str, Any]:
    """The columns of the stacked waves' data set (``*.change-<earlier>-<later>.parquet``)."""
    out: dict[str, Any] = {
        "edition": {"description": "edition (wave) of the row"},
        "wave_stratum": {"description": "edition:tier:function: the strata of both waves apart"},
        "stratum": {"description": fixed["stratum"]},
        "tier": {"description": fixed["tier"]},
        "stratum_population": {"description": fixed["stratum_population"]},
        "weight_final": {"description": "the calibrated weight within the row's own wave"},
    }
    for est in change.spec["estimates"]:
        out.setdefault(est["variable"], cols.get(est["variable"], {}))
    return out


def codebook(report: Report) -> dict[str, Any]:
    fixed = {
        "stratum": "weighting stratum: tier:function (design strata)",
        "tier": "tier of government (gemeente, provincie, waterschap, rijk)",
        "function": "function of the frame",
        "gender": "gender in the frame (v, m, x; empty: unknown)",
        "gender_cal": "gender for raking; 'onbekend' where the frame has none",
        "stratum_population": "N_h: persons (organisations) in the stratum's frame (fpc)",
        "base_weight": "N_h / n_h: the design weight",
        "one": "1 for every row: the unweighted analysis",
        "organisation_code": "organisation (organisation questionnaire only)",
        "province": "province of the organisation (organisation questionnaire only)",
        "weight_final": "the calibrated weight (output_weights of the spec)",
    }
    files = {}
    for instrument, res in report.results.items():
        cols: dict[str, Any] = {}
        for name in fixed:
            cols[name] = {"description": fixed[name]}
        for ind in report.indicators.for_instrument(instrument):
            cols[ind.column] = {
                "description": f"indicator {ind.id}: 1 yes, 0 no, empty outside the population",
                "label": {"nl": ind.label_nl, "en": ind.label_en},
                "definition": ind.definition,
                "population": ind.population or "all respondents",
            }
        files[res.data_file] = cols
        if res.change is not None:
            files[res.change.data_file] = _stacked_codebook(res.change, cols, fixed)
    return {
        "indicator_version": report.indicators.version,
        "edition": report.input.edition,
        "files": files,
    }


README = """# Analysis bundle — Monitor Integriteit en Veiligheid {edition}

Every figure of the report can be recomputed from this folder with the statistics engine:

    vib stats run office_holders.spec.json -o office_holders.result.json

(also `employees.spec.json`, `organisations.spec.json`, and `*.unweighted.json` for the
unweighted figures of the method chapter). Where the previous edition's microdata were
available, `*.change.json` gives the change since that edition: both waves stacked
(`*.change-<earlier>-<later>.parquet`, strata per wave, each wave's calibrated weight) with
the contrast later minus earlier per key indicator, in total and per tier; `published.json` lists
every change the report states with its test. The specs follow `docs/analysis-spec.md`: strata
tier:function, base weight N_h/n_h, finite-population correction from the frame,
calibration (raking to tier x function and gender, or post-stratification) and Korn-Graubard
intervals. `published.json` holds the published cells: disclosure-controlled cells are
`null` ("x" in the report). `codebook.json` / `codebook.md` describe every column; the data
are in Parquet (read by the specs) and CSV.

Indicator set {version}; generated {generated}.
"""


def write_bundle(report: Report, bundle: Path) -> None:
    for instrument, res in report.results.items():
        (bundle / f"{instrument}.spec.json").write_text(
            json.dumps(res.spec, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        (bundle / f"{instrument}.unweighted.json").write_text(
            json.dumps(res.unweighted_spec, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        if res.change is not None:
            (bundle / f"{instrument}.change.json").write_text(
                json.dumps(res.change.spec, indent=2, ensure_ascii=False), encoding="utf-8"
            )
    (bundle / "published.json").write_text(
        json.dumps(
            {
                "edition": report.input.edition,
                "cells": published_cells(report),
                "changes": published_changes(report),
            },
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    book = codebook(report)
    (bundle / "codebook.json").write_text(
        json.dumps(book, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    lines = [f"# Codebook — edition {report.input.edition}", ""]
    for name, cols in book["files"].items():
        lines += [f"## {name}", "", "| column | description |", "| --- | --- |"]
        for col, meta in cols.items():
            label = meta.get("label", {}).get("nl", "")
            lines.append(f"| `{col}` | {meta['description']}{' — ' + label if label else ''} |")
        lines.append("")
    (bundle / "codebook.md").write_text("\n".join(lines), encoding="utf-8")
    (bundle / "README.md").write_text(
        README.format(
            edition=report.input.edition,
            version=report.indicators.version,
            generated=report.generated.isoformat(timespec="seconds"),
        ),
        encoding="utf-8",
    )


def zip_bundle(bundle: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(bundle.iterdir()):
            zf.write(path, arcname=f"bundle/{path.name}")
    return target


# --- rendering ------------------------------------------------------------------------------------


def render_html(report: Report) -> str:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(report.input.language):
        return render_to_string(
            "monitor/report.html",
            {"report": report, "t": report.texts, "hidden": disclosure.HIDDEN},
        )


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
    return pdf


def write_report(
    inp: ReportInput, fmt: str, target: Path, progress: Progress | None = None
) -> Report:
    """Build the report, write it as ``fmt`` (html | pdf) to ``target`` and the bundle beside
    it as ``<target stem>-bundle.zip``."""
    step = progress or (lambda _p, _s: None)
    work = target.parent / f".{target.stem}-work"
    work.mkdir(parents=True, exist_ok=True)
    try:
        report = build_report(inp, work, step)
        step(70, "html")
        html = render_html(report)
        if fmt == "pdf":
            step(75, "pdf")
            target.write_bytes(render_pdf(html))
        else:
            target.write_text(html, encoding="utf-8")
        step(95, "bundle")
        zip_bundle(work / "bundle", target.with_name(f"{target.stem}-bundle.zip"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    step(100, "done")
    return report
