"""The monitor report on the demo 2016 wave (built once for this module): the Done-when
points, the bundle's rerun, the PDF rendered to images, the CLI and the web flow."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from vib.monitor import findings as phrasing
from vib.monitor.figures import percent
from vib.stats import cli as stats_cli

ROOT = Path(__file__).resolve().parents[2]
TRUTH = 3067.94 / 11425  # the demo's true office-holder rate (surveys/demo.py): 26.9%


def _poppler() -> None:
    if shutil.which("pdftoppm") is None:
        subprocess.run([str(ROOT / "scripts" / "apt-install"), "poppler-utils"], check=True)
    if shutil.which("pdftoppm") is None:
        pytest.fail("poppler-utils (pdftoppm, pdftotext) could not be installed.")


@pytest.fixture(scope="module")
def produced(_module_demo: Any, django_db_blocker: Any, tmp_path_factory: Any) -> dict[str, Any]:
    """The report of the demo wave as PDF and HTML, with its bundle, made once."""
    from vib.monitor.inputs import report_input
    from vib.monitor.report import build_report, render_html, render_pdf, zip_bundle
    from vib.surveys.selectors import wave_find

    out = tmp_path_factory.mktemp("monitor")
    with django_db_blocker.unblock():
        inp = report_input(wave=wave_find("2016"))
    report = build_report(inp, out)
    html = render_html(report)
    pdf = out / "rapport.pdf"
    pdf.write_bytes(render_pdf(html))
    zip_bundle(out / "bundle", out / "rapport-bundle.zip")
    return {"report": report, "html": html, "pdf": pdf, "bundle": out / "bundle", "out": out}


def _cells(report: Any) -> dict[tuple[str, str, str], Any]:
    return {e.key: e for e in report.cells()}


# --- Done when (1): the demo wave's office-holder prevalence, weighting, trend ---------------


def test_office_holder_prevalence_interval_contains_the_truth(produced: dict[str, Any]) -> None:
    c = _cells(produced["report"])[("oh_ag_any", "", "")]
    assert c.shown
    assert c.ci_low < TRUTH < c.ci_high
    shown = f'data-cell="oh_ag_any">{round(100 * c.estimate)}%'
    assert shown in produced["html"]
    assert f"{round(100 * c.ci_low)}–{round(100 * c.ci_high)}" in produced["html"]  # noqa: RUF001


def test_method_chapter_shows_weighted_and_unweighted(produced: dict[str, Any]) -> None:
    report, html = produced["report"], produced["html"]
    method = html[html.index('id="method"') : html.index('id="annex"')]
    row = next(r for r in report.weighted_vs_unweighted if r["label"].startswith("Agressie"))
    unweighted = next(e for e in report.results["office_holders"].unweighted if not e.breakdown)
    assert row["weighted"].text in method
    assert row["unweighted"].text in method
    assert row["unweighted"].text == f"{round(100 * unweighted.estimate)}%"
    assert row["weighted"].text != row["unweighted"].text  # weighting matters in the demo
    assert "Effectieve steekproefomvang" in method
    assert "Kleinste en grootste gewicht" in method


def test_trend_chart_2012_2024_with_sources(produced: dict[str, Any]) -> None:
    html = produced["html"]
    chart = re.search(r'<svg[^>]*aria-labelledby="trend-pa_ag_12m-t[^"]*".*?</svg>', html, re.S)
    assert chart is not None
    svg = chart.group(0)
    assert "<title" in svg
    assert "<desc" in svg
    for year in range(2012, 2025, 2):
        assert f">{year}</text>" in svg
    table = html[chart.end() : html.index("</table>", chart.end())]
    for source in ("openbaar bestuur 2012", "2014 (BZK)", "2024 (BZK)", "herberekend"):
        assert source in table


def test_key_findings_say_what_the_numbers_say(produced: dict[str, Any]) -> None:
    report = produced["report"]
    cells = _cells(report)
    assert report.findings
    for f in report.findings:
        assert f.text in produced["html"]
        if f.phrase:
            low, high = phrasing.phrase_bounds(f.phrase)
            assert low <= f.value <= high, f.text
            assert phrasing.with_percent(f.phrase, f.value) in f.text.lower()
            assert "procent (" not in f.text
    first = report.findings[0]
    assert first.indicator == "oh_ag_any"
    assert first.value == cells[("oh_ag_any", "", "")].estimate
    assert first.text.lower().startswith(("ruim een kwart", "ongeveer een kwart", "bijna een"))


def test_disclosure_control_hides_small_cells(produced: dict[str, Any]) -> None:
    report = produced["report"]
    hidden = [e for e in report.cells() if not e.shown]
    assert hidden, "the demo has small domains (e.g. provinces): some cells must be hidden"
    assert all(e.n >= 10 for e in report.cells() if e.shown)
    for e in hidden:
        cid = "-".join(p for p in (e.indicator, e.breakdown, e.level) if p).replace(" ", "_")
        for m in re.finditer(
            rf'data-cell="{re.escape(cid)}"[^>]*>([^<]*)</td>', report_html(produced)
        ):
            assert m.group(1) == "x"


def report_html(produced: dict[str, Any]) -> str:
    return str(produced["html"])


# --- Done when (3): the bundle reruns to exactly the report's numbers -----------------------


def test_bundle_reruns_with_vib_stats_to_the_report_numbers(produced: dict[str, Any]) -> None:
    bundle: Path = produced["bundle"]
    published = json.loads((bundle / "published.json").read_text())["cells"]
    reruns: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for spec in sorted({c["spec"] for c in published}):
        out = bundle.parent / f"{spec}.rerun.json"
        if spec == "office_holders.spec.json":
            # the real command line once …
            subprocess.run(
                [sys.executable, "-m", "vib.stats", "run", str(bundle / spec), "-o", str(out)],
                check=True,
                cwd=ROOT,
            )
        else:
            # … and the same entry point in process for the others (no interpreter start-up)
            assert stats_cli.main(["run", str(bundle / spec), "-o", str(out)]) == 0
        result = json.loads(out.read_text())
        reruns[spec] = {
            (e["id"], json.dumps(row["domain"], sort_keys=True)): row
            for e in result["estimates"]
            for row in e["rows"]
        }
    compared = 0
    for c in published:
        domain = json.dumps({c["breakdown"]: c["level"]} if c["breakdown"] else {}, sort_keys=True)
        row = reruns[c["spec"]][(c["estimate_id"], domain)]
        if c["status"] != "shown":
            assert c["estimate"] is None
            assert c["n"] is None
            continue
        for field in ("estimate", "se", "ci_low", "ci_high", "n"):
            assert c[field] == row[field], (c, field)  # exactly, not approximately
        compared += 1
    assert compared > 100


# --- Done when (2): the PDF, rendered, and nothing hidden anywhere --------------------------


def _pdf_objects(pdf: Path) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated."""
    raw = pdf.read_bytes()
    parts = [raw]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _hidden_strings(report: Any, *, precise_only: bool = False) -> list[str]:
    """How a hidden cell's value could be written: at full precision, and (for text) rounded
    to 4 or 6 decimals or as a percentage with two decimals, with a point or a comma."""
    # A hidden cell whose value equals a published one (e.g. exactly 1/3 in two places) is
    # not findable as a leak; every other hidden value must appear nowhere.
    published = {
        v
        for r in report.results.values()
        for e in (*r.estimates, *r.unweighted)
        if e.shown
        for v in (e.estimate, e.se, e.ci_low, e.ci_high)
    }
    out = []
    for v in report.hidden_values:
        if v in published:
            continue
        out.append(repr(v))
        if not precise_only:
            for s in (f"{v:.6f}", f"{v:.4f}", f"{100 * v:.2f}"):
                out += [s, s.replace(".", ",")]
    return [s for s in out if len(s) >= 5]


def test_pdf_pages_text_headings_tables_and_no_hidden_value(produced: dict[str, Any]) -> None:
    _poppler()
    pdf: Path = produced["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages >= 10
    assert re.search(r"Tagged:\s+yes", info.stdout)
    assert re.search(rb"/Lang\s*\(nl\)", _pdf_objects(pdf))
    images = produced["out"] / "pages"
    images.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "3", str(pdf), str(images / "p")],
        check=True,
    )
    rendered = sorted(images.glob("p-*.png"))
    assert len(rendered) == 3
    assert all(p.stat().st_size > 1500 for p in rendered)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    report = produced["report"]
    for heading in [
        "Samenvatting en kernbevindingen",
        *[c.title for c in report.chapters],
        "Methode en respons",
        "Factsheets per provincie",
    ]:
        assert heading in text
    c = _cells(report)[("oh_ag_any", "", "")]
    # a table row: the indicator, its total and the tiers on one line
    pct = percent(c.estimate)
    assert re.search(rf"Agressie of geweld meegemaakt \(12( maanden\))?\s+{pct}", text)
    assert "Gewogen" in text
    assert "Ongewogen" in text
    assert report.findings[0].text[:40] in " ".join(text.split())
    hidden = _hidden_strings(report)
    assert hidden
    assert _leaked(text.encode(), hidden) is None
    for path in produced["bundle"].iterdir():
        data = path.suffix in (".parquet", ".csv")  # microdata: weights have many digits
        leaked = _leaked(path.read_bytes(), _hidden_strings(report, precise_only=data))
        assert leaked is None, (path.name, leaked)


def _leaked(content: bytes, numbers: list[str]) -> str | None:
    """The first of the numbers that occurs as a whole token (not the first digits of another,
    longer number), or None. One pattern for all of them: a search per number over every
    file of the bundle took 15 seconds. (Where one number begins another, the lookahead makes
    the pattern try the next alternative, so their order does not matter.)"""
    alternatives = b"|".join(re.escape(n.encode()) for n in numbers)
    found = re.search(rb"(?<![\d.,])(?:" + alternatives + rb")(?![\d])", content)
    return found.group(0).decode() if found else None


# --- #18: a page a ministry would publish ------------------------------------------------------

Word = tuple[float, float, float, float, str]
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _pdf_words(pdf: Path) -> list[list[Word]]:
    """Every word of every page with its box, as poppler reads it."""
    from html import unescape

    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [
            (float(m[1]), float(m[2]), float(m[3]), float(m[4]), unescape(m[5]))
            for m in WORD.finditer(page)
        ]
        for page in out.split("<page ")[1:]
    ]


def overlapping_words(pages: list[list[Word]], tolerance: float = 0.5) -> list[str]:
    """Pairs of words on one page whose boxes overlap by more than ``tolerance`` points both
    ways: text written over text."""
    found = []
    for number, words in enumerate(pages, 1):
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                if b[1] > a[3]:
                    continue
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                if dx > tolerance and dy > tolerance:
                    found.append(f"p. {number}: {a[4]!r} over {b[4]!r}")
    return found


def decimal_points(pages: list[list[Word]], identifiers: set[str]) -> list[str]:
    """Numbers written with a decimal point ("0.0", "1.5"); a thousands point ("72.600") and
    named identifiers (the indicator set's version) are not decimals."""
    found = []
    for number, words in enumerate(pages, 1):
        for w in words:
            for m in re.finditer(r"\d+(?:\.\d+)+", w[4]):
                if m.group(0) in identifiers or re.fullmatch(r"\d{1,3}(?:\.\d{3})+", m.group(0)):
                    continue
                found.append(f"p. {number}: {w[4]!r}")
    return found


def _font_width(text: str, size: float) -> float:
    """The advance width of ``text`` in DejaVu Sans, read from the font file itself (this
    test's own measurement, independent of the chart code's)."""
    from fontTools.ttLib import TTFont

    font = _font_width.__dict__.get("font")
    if font is None:
        from django.conf import settings

        font = _font_width.__dict__["font"] = TTFont(str(settings.MONITOR_REPORT_FONT))
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    units = sum(hmtx[cmap.get(ord(ch), ".notdef")][0] for ch in text)
    return float(units * size / font["head"].unitsPerEm)


def clipped_chart_labels(html: str) -> list[str]:
    """Every text of every SVG chart, measured: it must lie inside the chart's box and not
    on another text of the same chart."""
    from html import unescape

    problems = []
    for svg in re.findall(r"<svg\b.*?</svg>", html, re.S):
        chart_id = re.search(r'aria-labelledby="([^"]+)-t', svg).group(1)  # type: ignore[union-attr]
        view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
        assert view is not None
        width, height = float(view.group(1)), float(view.group(2))
        boxes = []
        for m in re.finditer(r"<text ([^>]*)>([^<]*)</text>", svg):
            attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
            text, size = unescape(m.group(2)), float(attrs["font-size"])
            w, x, y = _font_width(text, size), float(attrs["x"]), float(attrs["y"])
            anchor = attrs.get("text-anchor", "start")
            x0 = x - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
            box = (x0, y - 0.76 * size, x0 + w, y + 0.24 * size, text)
            if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
                problems.append(f"{chart_id}: {text!r} outside the chart, x {box[0]:.1f}")
            boxes.append(box)
        problems += [f"{chart_id}: {p}" for p in overlapping_words([boxes], 0.5)]
    return problems


def test_pdf_pages_have_no_overlapping_words_and_only_dutch_figures(
    produced: dict[str, Any],
) -> None:
    _poppler()
    pages = _pdf_words(produced["pdf"])
    assert sum(len(p) for p in pages) > 5000  # the whole report was read
    assert overlapping_words(pages) == []
    assert decimal_points(pages, {produced["report"].indicators.version}) == []
    # the checks can fail: a word written over another, a decimal point
    assert overlapping_words([[(0, 0, 20, 10, "Waterschappen"), (15, 1, 40, 11, "13%")]])
    assert decimal_points([[(0, 0, 9, 9, "0.0"), (0, 0, 9, 9, "72.600")]], set()) == ["p. 1: '0.0'"]


def test_chart_labels_fit_their_box_and_every_chart_keeps_its_data(
    produced: dict[str, Any],
) -> None:
    html = produced["html"]
    charts = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(charts) >= 10
    assert clipped_chart_labels(html) == []
    # the longest function label is there in full, in the chart and in the PDF
    label = "Leden algemeen bestuur waterschap"
    chart = next(c for c in charts if 'aria-labelledby="chart-oh_ag_any-function-t' in c)
    lines = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', chart)
    assert label in [" ".join(lines[i : i + 2]) for i in range(len(lines))] or label in lines
    words = {w[4] for page in _pdf_words(produced["pdf"]) for w in page}
    assert set(label.split()) <= words
    # each chart is followed by its data table
    for m in re.finditer(r"<svg\b.*?</svg>", html, re.S):
        after = html[m.end() : m.end() + 400]
        assert "<table" in after, after[:80]
    # the check can fail: a label that starts left of the chart
    bad = '<svg viewBox="0 0 100 50" aria-labelledby="b-t b-d"><text x="20" y="20" '
    bad += 'font-size="11" text-anchor="end">Leden algemeen bestuur</text></svg>'
    assert clipped_chart_labels(bad)


def _engine_changes(bundle: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(indicator, tier or "") → the contrast and both editions' rows, from the statistics
    engine's rerun of every ``*.change.json`` of the bundle."""
    from vib.stats import run_spec

    out: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(bundle.glob("*.change.json")):
        result = run_spec(json.loads(path.read_text()), base_dir=bundle)
        rows = {e["id"]: e["rows"] for e in result["estimates"]}
        for c in result["contrasts"]:
            of = c["id"].removesuffix("__change")
            indicator, _, level = of.partition("__tier__")
            est = rows[f"{indicator}__tier" if level else indicator]
            by_edition = {
                int(r["domain"]["edition"]): r for r in est if r["domain"].get("tier", "") == level
            }
            out[(indicator, level)] = {**c, "editions": by_edition}
    return out


DIRECTION = re.compile(r"gestegen|gedaald|hoger|lager|toegenomen|afgenomen")


def _check_change(change: Any, text: str, engine: dict[tuple[str, str], dict[str, Any]]) -> None:
    """One stated change against the engine's contrast: same numbers, same significance, and
    a direction only when it is significant."""
    c = engine[(change.indicator, change.level)]
    earlier, _later = sorted(c["editions"])
    assert change.previous_year == earlier
    assert change.previous_value == pytest.approx(c["editions"][earlier]["estimate"], abs=1e-12)
    assert change.difference == pytest.approx(c["estimate"], abs=1e-12)
    assert (change.low, change.high) == pytest.approx((c["ci_low"], c["ci_high"]), abs=1e-12)
    assert change.significant == (c["p_value"] < 0.05)
    if c["p_value"] < 0.05:
        assert change.verdict == ("gestegen" if c["estimate"] > 0 else "gedaald")
        assert change.verdict in text
        assert not c["ci_low"] <= 0 <= c["ci_high"]
    else:
        assert change.verdict == phrasing.NO_CHANGE
        assert not DIRECTION.search(text)
        assert "niet significant veranderd" in text


def test_summary_states_only_the_changes_the_engine_supports(produced: dict[str, Any]) -> None:
    """Done when: every change the summary states is recomputed from the statistics engine's
    rerun of the bundle's stacked-waves specs (``*.change.json``: the demo has the 2014 wave's
    microdata): the same difference, interval and significance, and a direction only when the
    contrast is significant — in the findings and in every row, total and per tier, of the
    summary tables (ADR 0139)."""
    report = produced["report"]
    bundle: Path = produced["bundle"]
    engine = _engine_changes(bundle)
    assert {p.name for p in bundle.glob("*.change.json")} == {
        "office_holders.change.json", "employees.change.json", "organisations.change.json"
    }  # fmt: skip
    checked = 0
    for f in report.findings:
        if f.comparison is None:
            assert not DIRECTION.search(f.text)
            continue
        change = next(
            c for chapter in report.chapters for c in chapter.changes if c.indicator == f.indicator
        )
        assert change.method == "stacked"
        assert f.comparison == change.previous_value
        assert (f.significant, f.direction) == (change.significant, change.verdict)
        _check_change(change, f.text, engine)
        checked += 1
    assert checked >= 4  # the headline findings of office holders and employees
    html = produced["html"]
    start = html.index('id="summary"')
    summary = html[start : html.index("</section>", start)]
    stated = {"": 0, "tier": 0}
    verdicts = set()
    for table in report.summary_tables:
        for ind in table.indicators:
            for r in ind.rows:
                if r.change is None:
                    continue
                assert r.change.method == "stacked"
                assert r.change.phrase in summary
                _check_change(r.change, r.change.phrase, engine)
                stated["tier" if r.change.level else ""] += 1
                verdicts.add(r.change.verdict)
    assert stated[""] >= 8
    assert stated["tier"] >= 8
    assert phrasing.NO_CHANGE in verdicts
    assert verdicts & {"gestegen", "gedaald"}
    # every change the bundle publishes is one the engine gives
    published = json.loads((bundle / "published.json").read_text())["changes"]
    assert published
    assert all(
        c["method"] == "stacked"
        and c["significant"] == (engine[(c["indicator"], c["level"])]["p_value"] < 0.05)
        for c in published
    )
    assert summary.count("<table") == len(report.summary_tables) == 3
    assert "contrast tussen de twee edities" in summary  # the report says which test was used
    assert "gepubliceerde cijfer van de vorige editie" not in summary


@pytest.mark.usefixtures("_module_demo")
def test_without_previous_microdata_the_change_is_tested_against_the_published_figure(
    django_db_blocker: Any, tmp_path: Path
) -> None:
    """The fall-back of ADR 0119: without the previous wave's microdata the change is the test
    of this edition's estimate against the published figure (engine SE and df), only for the
    indicators with a published series and never per tier, and the report says so."""
    from scipy import stats as sps

    from vib.monitor.inputs import report_input
    from vib.monitor.reference import load_reference
    from vib.monitor.report import build_report, render_html
    from vib.stats import run_spec
    from vib.surveys.selectors import wave_find

    with django_db_blocker.unblock():
        inp = report_input(wave=wave_find("2016"))
    assert inp.previous_edition == 2014
    assert set(inp.previous_sources) == {"office_holders", "employees", "organisations"}
    inp.previous_sources, inp.previous_edition = {}, None
    report = build_report(inp, tmp_path)
    assert not list((tmp_path / "bundle").glob("*.change.json"))
    engine = {}
    for instrument in ("office_holders", "employees"):
        spec = json.loads((tmp_path / "bundle" / f"{instrument}.spec.json").read_text())
        for e in run_spec(spec, base_dir=tmp_path / "bundle")["estimates"]:
            if "__" not in e["id"]:  # the whole population, not a breakdown
                engine[e["id"]] = e["rows"][0]
    reference = {s.indicator: s for s in load_reference().values()}
    changes = [ch for chapter in report.chapters for ch in chapter.changes]
    assert {ch.indicator for ch in changes} == {"oh_ag_any", "emp_ag_any"}
    for ch in changes:
        row, prev = engine[ch.indicator], reference[ch.indicator].previous(2016)
        assert prev is not None
        assert ch.method == "published"
        assert ch.previous_value == prev.value
        p = float(2 * sps.t.sf(abs((row["estimate"] - prev.value) / row["se"]), row["df"]))
        assert ch.p_value == pytest.approx(p)
        assert ch.significant == (p < 0.05)
    for table in report.summary_tables:
        for ind in table.indicators:
            assert all(r.change is None for r in ind.rows[1:])  # no tier figures published
    for f in report.findings:
        if f.comparison is None or not f.significant:
            assert not DIRECTION.search(f.text)
    html = render_html(report)
    assert "steekproeffout van dat cijfer is niet bekend" in html
    assert "contrast tussen de twee edities" not in html


# --- running it --------------------------------------------------------------------------------


def test_cli_writes_report_and_bundle(demo: Any, tmp_path: Path) -> None:
    from django.core.management import call_command

    target = tmp_path / "rapport.html"
    call_command(
        "monitor",
        "report",
        "--wave",
        "2016",
        "--format",
        "html",
        "-o",
        str(target),
        "--no-progress",
    )
    assert target.read_text().startswith("<!DOCTYPE html>")
    with zipfile.ZipFile(tmp_path / "rapport-bundle.zip") as zf:
        names = set(zf.namelist())
    assert {
        "bundle/office_holders.spec.json",
        "bundle/office_holders.parquet",
        "bundle/codebook.json",
        "bundle/published.json",
    } <= names


def test_researcher_runs_report_in_background_and_downloads(
    demo: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    researcher = demo.shared["users"]["monitor"]
    wave = demo.shared["survey_wave"]
    client.force_login(researcher)
    page = client.get(reverse("monitor:dashboard"))
    assert page.status_code == 200
    assert str(wave.id) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitor:run-start"), {"wave": wave.id, "format": "html"})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert 'role="status"' in body
    assert "<progress" in body
    assert 'value="100"' in body
    run_id = response["Location"].rstrip("/").split("/")[-1]
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="run-progress"')
    download = client.get(reverse("monitor:run-download", args=[run_id, "report"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"<!DOCTYPE html>")
    bundle = client.get(reverse("monitor:run-download", args=[run_id, "bundle"]))
    assert bundle.status_code == 200
    # the dashboard now shows the key figures of the finished run
    page = client.get(reverse("monitor:dashboard")).content.decode()
    assert 'data-indicator="oh_ag_any"' in page


def test_access_by_capability(
    demo: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    users = demo.shared["users"]
    wave = demo.shared["survey_wave"]
    client.force_login(users["monitor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitor:run-start"), {"wave": wave.id, "format": "html"})
    run_url = response["Location"]
    run_id = run_url.rstrip("/").split("/")[-1]
    # the sector analyst sees the dashboard (aggregates), not the run nor its bundle
    client.force_login(users["sectoranalist"])
    assert client.get(reverse("monitor:dashboard")).status_code == 200
    assert client.get(run_url).status_code == 404
    assert client.get(reverse("monitor:run-download", args=[run_id, "bundle"])).status_code == 404
    assert client.post(reverse("monitor:run-start"), {"wave": wave.id}).status_code == 404
    # roles without a monitor capability see nothing
    for name in ("secretaris", "medewerker", "burgemeester"):
        client.force_login(users[name])
        assert client.get(reverse("monitor:dashboard")).status_code == 404, name
        assert client.get(run_url).status_code == 404, name
