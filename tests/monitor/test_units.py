"""The monitor's building blocks without the database: phrasing, disclosure control, charts,
indicator definitions, the reference series and the change between waves."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vib.monitor import charts, disclosure, figures, findings
from vib.monitor.analysis import (
    Estimate,
    change_spec,
    contrasts_from,
    edition_domains,
    stack_waves,
    write_data,
)
from vib.monitor.indicators import derive, load_indicators
from vib.monitor.reference import load_reference
from vib.stats import run_spec


def cell(ind="a", b="", level="", p=0.3, n=50, se=0.05):
    lo, hi = (max(p - 0.1, 0), min(p + 0.1, 1)) if 0 < p < 1 else (None, None)
    return Estimate(ind, b, level, p, se, lo, hi, n - 1.0, n)


# --- plain Dutch ------------------------------------------------------------------------------


def test_the_brief_s_example() -> None:
    assert findings.share_phrase(0.27) == "ruim een kwart"
    assert findings.share_phrase(0.25) == "ongeveer een kwart"
    assert findings.share_phrase(0.48) == "bijna de helft"
    assert findings.share_phrase(0.07) == "7%"  # not "bijna een op de tien"
    assert findings.with_percent("7%", 0.07) == "7%"  # not "7 procent (7%)"
    assert findings.with_percent("ruim een kwart", 0.27) == "ruim een kwart (27%)"


# --- a change is called a rise or fall only when the test supports it (ADR 0119) ----------------

DIRECTION_WORDS = ("gestegen", "gedaald", "hoger", "lager", "toegenomen", "afgenomen", "stijging")


def test_a_change_phrase_claims_a_direction_only_when_significant() -> None:
    """Over a grid of differences, standard errors and design df, including changes of many
    points that are not significant (large SE, few df)."""
    from scipy import stats as sps

    named = 0
    for diff in [k / 200 for k in range(-60, 61)]:
        for se in (0.004, 0.02, 0.05, 0.12):
            for df in (2.0, 9.0, 40.0, 5000.0):
                p = float(2 * sps.t.sf(abs(diff / se), df))
                half = float(sps.t.ppf(0.975, df)) * se
                significant = p < 0.05
                text = findings.change_phrase(
                    difference=diff,
                    low=diff - half,
                    high=diff + half,
                    significant=significant,
                    previous=0.25,
                    previous_year=2014,
                )
                claimed = [w for w in DIRECTION_WORDS if w in text]
                if not significant:
                    assert claimed == [], text
                    assert text.startswith("niet significant veranderd")
                else:
                    named += 1
                    assert claimed == (["gestegen"] if diff > 0 else ["gedaald"]), text
                    # the interval of a significant change excludes 0, as the test says
                    assert (diff - half > 0) or (diff + half < 0)
                assert "procentpunt" in text
                assert "." not in text  # Dutch figures: no decimal point
    assert 0 < named < 121 * 16


def test_dutch_figures() -> None:
    assert figures.number(1234.5, 1) == "1.234,5"
    assert figures.number(0.0, 1) == "0,0"
    assert figures.number(-0.04) == "0"  # no minus zero
    assert figures.number(-1234.56, 2) == "\u22121.234,56"
    assert figures.integer(1234567) == "1.234.567"
    assert figures.percent(0.125) == "13%"  # half up, as a reader rounds
    assert figures.percent_range(0.2149, 0.355) == "21\u201336%"
    assert figures.points(0.04) == "+4"
    assert figures.points(-0.0351) == "\u22124"
    assert figures.points_range(-0.012, 0.09) == "\u22121 tot +9"
    assert figures.p_value(0.0123) == "0,012"
    assert figures.p_value(0.0001) == "< 0,001"
    assert figures.number(None) == ""


@given(st.floats(min_value=0.0, max_value=1.0))
def test_every_phrase_is_true_of_its_number(p: float) -> None:
    low, high = findings.phrase_bounds(findings.share_phrase(p))
    assert low - 1e-12 <= p <= high + 1e-12


# --- disclosure control -------------------------------------------------------------------------


def test_primary_suppression_small_cells_and_extremes() -> None:
    assert disclosure.primary(cell(n=9))
    assert not disclosure.primary(cell(n=10))
    assert disclosure.primary(cell(p=0.0, n=15))  # 0% in a small group
    assert disclosure.primary(cell(p=1.0, n=19))
    assert not disclosure.primary(cell(p=1.0, n=25))


def test_secondary_suppression_protects_the_total_and_the_tier() -> None:
    total = cell(n=100)
    tiers = [cell(b="tier", level="gemeente", n=60), cell(b="tier", level="provincie", n=40)]
    functions = [
        cell(b="function", level="burgemeester", n=25),
        cell(b="function", level="raadslid", n=35),
        cell(b="function", level="cdk", n=8),  # hidden: its tier and the others would tell
        cell(b="function", level="statenlid", n=12),
        cell(b="function", level="gedeputeerde", n=20),
    ]
    cells = [total, *tiers, *functions]
    tiers_of = {
        "burgemeester": "gemeente",
        "raadslid": "gemeente",
        "cdk": "provincie",
        "statenlid": "provincie",
        "gedeputeerde": "provincie",
    }
    disclosure.protect(cells, tiers_of)
    status = {c.level: c.status for c in cells}
    assert status["cdk"] == "primary"
    assert status["statenlid"] == "secondary"  # the smallest other part of the province
    assert status["gedeputeerde"] == "shown"
    hidden_in_provincie = [c for c in functions if tiers_of[c.level] == "provincie" and not c.shown]
    assert len(hidden_in_provincie) != 1


def test_flags_mark_small_effective_n_and_wide_intervals() -> None:
    c = cell(p=0.5, n=40, se=0.12)  # n_eff = 0.25 / 0.0144 ≈ 17
    c.ci_low, c.ci_high = 0.27, 0.73
    disclosure.protect([c])
    assert disclosure.FLAG_SMALL in c.flags
    assert disclosure.FLAG_WIDE in c.flags


# --- charts -------------------------------------------------------------------------------------


def test_a_long_bar_label_wraps_and_the_label_column_fits_it() -> None:
    long = "Leden algemeen bestuur waterschap"
    assert charts.wrap_label(long) != [long] or charts.text_width(long, 11) <= charts.LABEL_MAX
    svg = charts.bar_chart("c2", "T", "D", [charts.Bar(long, 0.3, 0.2, 0.4), charts.Bar("A", 0.1)])
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end"', svg)]
    lines = re.findall(r'text-anchor="end" fill="[^"]+">([^<]+)</text>', svg)
    assert " ".join(lines[:-1]) == long  # both lines of the long label, in order
    for x, line in zip(xs, lines, strict=True):
        assert x - charts.text_width(line, charts.LABEL_SIZE) >= 0  # nothing left of the box
    assert charts.text_width("WWW", 10) > charts.text_width("iii", 10)  # measured, not counted


def test_charts_are_accessible_svg_without_style() -> None:
    svg = charts.bar_chart(
        "c1", "Titel", "Beschrijving", [charts.Bar("A", 0.3, 0.2, 0.4), charts.Bar("B", None)]
    )
    assert '<title id="c1-t">Titel</title>' in svg
    assert '<desc id="c1-d">' in svg
    assert 'role="img"' in svg
    assert "style=" not in svg
    assert ">x</text>" in svg  # a hidden bar is marked, not drawn
    trend = charts.trend_chart("t", "T", "D", [charts.Point(2012, 0.38), charts.Point(2016, 0.27)])
    assert trend.count("<circle") >= 3
    assert "<title" in trend


# --- indicators and reference ------------------------------------------------------------------


def test_indicator_definitions_and_populations() -> None:
    ind = load_indicators()
    chosen = [ind.by_id["oh_ag_any"], ind.by_id["oh_ch_social_media"], ind.by_id["oh_influence"]]
    table = {
        "ag_types__verbal": [1, 0, None],
        "ag_types__intimidation": [0, 0, None],
        "ag_types__threat": [0, 0, None],
        "ag_types__physical": [0, 0, None],
        "ag_types__property": [0, 0, None],
        "ag_channels__social_media": [1, None, None],
        "influence_decisions": ["yes", None, None],
    }
    cols = derive(chosen, table)
    assert list(cols["ind_oh_ag_any"][:2]) == [1.0, 0.0]
    assert math.isnan(cols["ind_oh_ag_any"][2])
    assert cols["ind_oh_ch_social_media"][0] == 1.0
    assert math.isnan(cols["ind_oh_ch_social_media"][1])  # not a victim: outside
    assert list(cols["ind_oh_influence"]) == [1.0, 0.0, 0.0]  # fill: 0


@pytest.mark.parametrize("mixed", [False, True])
def test_derived_columns_match_the_row_by_row_definition(mixed: bool) -> None:
    """Whole-column derivation (Arrow compute) gives what the definition says row by row,
    for every indicator, also where a column mixes numbers and text (the row loop)."""
    import random

    from vib.monitor.indicators import _definition_values_rows

    rng = random.Random(7)
    ind = load_indicators()
    chosen = list(ind.indicators)
    names = {
        c
        for i in chosen
        for c in [
            *i.definition.get("any", []),
            i.definition.get("column"),
            (i.population or {}).get("column"),
        ]
        if c
    }
    n = 400
    choices: list[object] = [None, 0, 1, 2, 3, 4, 5, 1.0, math.nan]
    text: list[object] = [None, "yes", "no", "dont_know", "agree", "fully", "secretaris",
                          "griffier", "satisfied", "last_year"]  # fmt: skip
    numeric = {
        c
        for i in chosen
        for c in [*i.definition.get("any", []), i.definition.get("column")]
        if "in" not in i.definition
    }
    table = {
        c: [rng.choice(choices if c in numeric or k % 3 == 0 else text) for _ in range(n)]
        for k, c in enumerate(sorted(names))
    }
    if mixed:
        for c, col in table.items():  # text and numbers in one column
            if c not in numeric:
                col[0] = 1 if any(isinstance(v, str) for v in col) else "yes"
    got = derive(chosen, table)
    done: dict[str, list[float]] = {}
    for i in chosen:  # the definition and population, row by row
        values = _definition_values_rows(i.definition, table, n)
        pop = i.population or {}
        if "indicator" in pop:
            values = [v if done[pop["indicator"]][r] == 1.0 else math.nan for r, v in
                      enumerate(values)]  # fmt: skip
        elif "column" in pop:
            values = [v if table[pop["column"]][r] in set(pop["in"]) else math.nan for r, v in
                      enumerate(values)]  # fmt: skip
        done[i.id] = values
        np.testing.assert_array_equal(got[i.column], np.asarray(values), err_msg=i.id)
    assert any(np.nansum(v) > 0 for v in got.values())


def test_every_indicator_names_a_question_of_its_instrument() -> None:
    from vib.surveys.questionnaires import load_instrument
    from vib.surveys.selectors import answer_columns

    ind = load_indicators()
    for code in ind.instruments:
        instrument = load_instrument(f"{code}-2016.1")
        names = {c.name for c in answer_columns(instrument)} | {"function"}
        for i in ind.for_instrument(code):
            used = i.definition.get("any") or [i.definition["column"]]
            assert set(used) <= names, i.id


def test_reference_series_keeps_the_edition_of_each_figure() -> None:
    pa = load_reference()["pa_ag_12m"]
    years = sorted({f.year for f in pa.as_published()})
    assert years == [2012, 2014, 2016, 2018, 2020, 2022, 2024]
    assert pa.previous(2016).value == 0.23  # as known in 2016
    assert pa.previous(2024).value == 0.49
    restated = pa.restatements()[0]
    assert (restated.year, restated.value, restated.edition) == (2014, 0.26, 2022)


# --- change between waves ----------------------------------------------------------------------


def test_change_between_waves_is_a_contrast_with_its_test(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    ind = load_indicators().by_id["oh_ag_any"]

    def wave(rate: float, n: int) -> dict[str, np.ndarray]:
        strata = np.array(["gemeente:raadslid"] * n + ["provincie:statenlid"] * n, dtype=object)
        return {
            "stratum": strata,
            "tier": np.array([s.split(":")[0] for s in strata], dtype=object),
            "stratum_population": np.array([5 * n] * n + [2 * n] * n, dtype=float),
            "weight_final": np.array([5.0] * n + [2.0] * n),
            ind.column: (rng.random(2 * n) < rate).astype(float),
        }

    stacked = stack_waves((2014, wave(0.2, 200)), (2016, wave(0.35, 200)), [ind.column, "tier"])
    assert stacked["wave_stratum"][0] == "2014:gemeente:raadslid"
    assert stacked["wave_stratum"][-1] == "2016:provincie:statenlid"
    write_data(stacked, tmp_path / "stacked.parquet", csv_copy=False)
    domains = edition_domains(stacked)
    assert domains == [
        ("2014", "gemeente"), ("2014", "provincie"), ("2016", "gemeente"), ("2016", "provincie")
    ]  # fmt: skip
    result = run_spec(
        change_spec("stacked.parquet", [ind], (2014, 2016), domains), base_dir=tmp_path
    )
    rows = result["estimates"][0]["rows"]
    change = result["contrasts"][0]
    assert re.fullmatch(r"oh_ag_any__change", change["id"])
    assert change["estimate"] == pytest.approx(rows[1]["estimate"] - rows[0]["estimate"])
    # independent samples (disjoint strata): the variance of the difference is the sum
    assert change["se"] ** 2 == pytest.approx(rows[0]["se"] ** 2 + rows[1]["se"] ** 2)
    assert change["p_value"] < 0.01
    contrasts = contrasts_from(result, (2014, 2016))
    assert [(c.indicator, c.level) for c in contrasts] == [
        ("oh_ag_any", ""), ("oh_ag_any", "gemeente"), ("oh_ag_any", "provincie")
    ]  # fmt: skip
    tier_rows = {tuple(r["domain"].values()): r for r in result["estimates"][1]["rows"]}
    for c in contrasts[1:]:
        later, earlier = tier_rows[("2016", c.level)], tier_rows[("2014", c.level)]
        assert c.difference == pytest.approx(later["estimate"] - earlier["estimate"])
        assert c.earlier.estimate == earlier["estimate"]
        assert c.later.n == later["n"]
        assert c.se**2 == pytest.approx(later["se"] ** 2 + earlier["se"] ** 2)
        assert c.low < c.difference < c.high
