"""The monitor's analysis: the weighted data set and the analysis specs per instrument, run
through ``vib.stats.run_spec`` (ADR 0071).

Design (docs/domain.md §7): every person of a stratum (tier x function) is invited, so a wave is a
census with non-response per stratum — strata ``stratum``, base weight N_h/n_h,
finite-population correction from the frame (``stratum_population``). The weights are then
calibrated to the frame: raked to the tier x function counts and the gender margin when the
frame has gender for every respondent's level (post-stratification to tier x function only
otherwise). Strata without any respondent cannot be weighted; they are left out and named in
the method chapter.

The data set becomes one Arrow table; that table is written to the bundle (Parquet, and CSV
for readers without Parquet) and converted once, the way ``vib stats run`` converts what it
reads from the file (``vib.stats.data.Table.from_arrow``), for every spec of the instrument:
one data load, many estimates. The report's numbers are by construction what ``vib stats run``
gives on the bundle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from vib.monitor.indicators import Columns, Indicator, IndicatorSet, derive
from vib.stats.data import Table
from vib.stats.engine import run_table
from vib.stats.spec import parse_spec

UNKNOWN_GENDER = "onbekend"
LEVEL = 0.95


@dataclass
class InstrumentInput:
    instrument: str
    table: Columns  # vib.surveys.selectors.response_table
    population: list[dict[str, Any]]  # vib.surveys.selectors.population_counts
    provinces: dict[str, str] = field(default_factory=dict)  # organisation code → province


@dataclass
class Estimate:
    indicator: str
    breakdown: str  # "" for the whole population
    level: str  # "" for the whole population
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    df: float | None
    n: int
    # filled by vib.monitor.disclosure
    status: str = "shown"  # shown | primary | secondary
    flags: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator, self.breakdown, self.level)

    @property
    def shown(self) -> bool:
        return self.status == "shown"

    @property
    def n_eff(self) -> float:
        """Effective sample size p(1-p)/var (the n of Korn-Graubard); n when p is 0 or 1."""
        p, se = self.estimate, self.se
        if p is None or se is None or se <= 0 or p <= 0 or p >= 1:
            return float(self.n)
        return p * (1 - p) / (se * se)


@dataclass
class WeightDiagnostics:
    respondents: int
    population: int
    covered_population: int
    method: str  # "rake" | "poststratify"
    minimum: float
    maximum: float
    ratio: float
    effective_n: float  # Kish: (Σw)² / Σw²
    design_effect: float  # n / effective_n
    uncovered: list[str]  # strata with a frame but no respondent


@dataclass
class InstrumentResult:
    instrument: str
    data_file: str
    spec: dict[str, Any]
    unweighted_spec: dict[str, Any]
    result: dict[str, Any]
    unweighted_result: dict[str, Any]
    estimates: list[Estimate]
    unweighted: list[Estimate]
    weights: WeightDiagnostics
    response: list[dict[str, Any]]  # per stratum: population, respondents, rate
    change: ChangeResult | None = None  # against the previous wave's microdata (ADR 0139)


# --- data set ----------------------------------------------------------------------------------


def _strings(values: list[Any]) -> npt.NDArray[np.object_]:
    return np.array([None if v in (None, "") else str(v) for v in values], dtype=object)


def build_columns(
    source: InstrumentInput, indicators: list[Indicator]
) -> dict[str, npt.NDArray[Any]]:
    """The weighted data set of one instrument (without the final weight)."""
    t = source.table
    n = len(t["stratum"])
    gender = _strings(t["gender"])
    columns: dict[str, npt.NDArray[Any]] = {
        "stratum": _strings(t["stratum"]),
        "tier": _strings(t["tier"]),
        "function": _strings(t["function"]),
        "gender": gender,
        "gender_cal": np.array([UNKNOWN_GENDER if g is None else g for g in gender], dtype=object),
        "stratum_population": np.asarray(t["stratum_population"], dtype=np.float64),
        "base_weight": np.asarray(
            [math.nan if w is None else w for w in t["base_weight"]], dtype=np.float64
        ),
        "one": np.ones(n, dtype=np.float64),
    }
    if any(t.get("organisation_code", [])):
        codes = _strings(t["organisation_code"])
        columns["organisation_code"] = codes
        columns["province"] = np.array(
            [source.provinces.get(c) if c else None for c in codes], dtype=object
        )
    columns.update(derive(indicators, t))
    return columns


def data_table(columns: dict[str, npt.NDArray[Any]], *, nulls: bool = False) -> pa.Table:
    """The data set as an Arrow table: text columns as strings (None missing), the others
    float64 (NaN missing; as nulls when ``nulls``, which CSV writes as empty fields)."""
    arrays = {}
    for name, col in columns.items():
        if col.dtype == object:
            arrays[name] = pa.array(col, type=pa.string(), from_pandas=True)
        else:
            arrays[name] = pa.array(
                np.asarray(col, dtype=np.float64), type=pa.float64(), from_pandas=nulls
            )
    return pa.table(arrays)


def with_nulls(table: pa.Table) -> pa.Table:
    """``table`` with NaN in its float columns as nulls (what CSV writes as empty fields); the
    text columns are kept as they are, not converted again."""
    for i, f in enumerate(table.schema):
        if pa.types.is_floating(f.type):
            values = table.column(i).to_numpy()
            table = table.set_column(i, f.name, pa.array(values, type=f.type, from_pandas=True))
    return table


def write_data(
    columns: dict[str, npt.NDArray[Any]],
    path: Path,
    *,
    csv_copy: bool = True,
    table: pa.Table | None = None,
) -> None:
    """The data set as Parquet (and CSV); ``table`` is its ``data_table`` when already made."""
    table = data_table(columns) if table is None else table
    pq.write_table(table, path)
    if csv_copy:
        # The same data as CSV for readers without Parquet (missing = empty field).
        pacsv.write_csv(
            with_nulls(table),
            path.with_suffix(".csv"),
            pacsv.WriteOptions(quoting_style="needed"),
        )


# --- weighting ---------------------------------------------------------------------------------


def calibration_steps(
    source: InstrumentInput, columns: dict[str, npt.NDArray[Any]]
) -> tuple[list[dict[str, Any]], str, list[str]]:
    """The calibration of the spec: rake to strata and gender, or post-stratify to strata."""
    sampled = set(columns["stratum"][columns["base_weight"] == columns["base_weight"]])
    strata: dict[str, int] = defaultdict(int)
    genders: dict[str, int] = defaultdict(int)
    for cell in source.population:
        strata[cell["stratum"]] += cell["population"]
        if cell["stratum"] in sampled:
            genders[cell["gender"] or UNKNOWN_GENDER] += cell["population"]
    uncovered = sorted(s for s in strata if s not in sampled)
    stratum_margin = [{"stratum": s, "N": strata[s]} for s in sorted(strata) if s in sampled]
    seen_genders = set(columns["gender_cal"])
    rake = (
        len(genders) > 1 and set(genders) == seen_genders and all(v > 0 for v in genders.values())
    )
    if rake:
        return (
            [
                {
                    "method": "rake",
                    "margins": [
                        {"variables": ["stratum"], "population": stratum_margin},
                        {
                            "variables": ["gender_cal"],
                            "population": [
                                {"gender_cal": g, "N": genders[g]} for g in sorted(genders)
                            ],
                        },
                    ],
                    "epsilon": 1e-10,
                    "maxit": 100,
                }
            ],
            "rake",
            uncovered,
        )
    return (
        [{"method": "poststratify", "variables": ["stratum"], "population": stratum_margin}],
        "poststratify",
        uncovered,
    )


def _estimate_specs(indicators: list[Indicator], columns: dict[str, Any]) -> list[dict[str, Any]]:
    specs = []
    for ind in indicators:
        base = {
            "statistic": "proportion",
            "variable": ind.column,
            "ci": "beta",
            "level": LEVEL,
        }
        specs.append({"id": ind.id, **base})
        for b in ind.breakdowns:
            if b in columns and any(v is not None for v in columns[b]):
                specs.append({"id": f"{ind.id}__{b}", **base, "by": [b]})
    return specs


def build_spec(
    data_file: str,
    indicators: list[Indicator],
    columns: dict[str, Any],
    calibration: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "data": data_file,
        "design": {
            "ids": [],
            "strata": "stratum",
            "weights": "base_weight",
            "probs": None,
            "fpc": ["stratum_population"],
            "nest": False,
            "lonely_psu": "adjust",
        },
        "replicates": None,
        "calibration": calibration,
        "subset": None,
        "estimates": _estimate_specs(indicators, columns),
        "contrasts": [],
        "tests": [],
        "output_weights": True,
    }


def build_unweighted_spec(
    data_file: str, indicators: list[Indicator], columns: dict[str, Any]
) -> dict[str, Any]:
    """Every respondent counts once: the figures the method chapter sets beside the weighted."""
    return {
        "data": data_file,
        "design": {
            "ids": [],
            "strata": None,
            "weights": "one",
            "probs": None,
            "fpc": [],
            "nest": False,
            "lonely_psu": "adjust",
        },
        "replicates": None,
        "calibration": [],
        "subset": None,
        "estimates": [
            {"id": i.id, "statistic": "proportion", "variable": i.column, "ci": "beta"}
            for i in indicators
        ]
        + [
            {
                "id": f"{i.id}__tier",
                "statistic": "proportion",
                "variable": i.column,
                "ci": "beta",
                "by": ["tier"],
            }
            for i in indicators
            if "tier" in i.breakdowns
        ],
        "contrasts": [],
        "tests": [],
        "output_weights": False,
    }


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


def estimates_from(result: dict[str, Any]) -> list[Estimate]:
    out = []
    for est in result["estimates"]:
        indicator, _, breakdown = est["id"].partition("__")
        for row in est["rows"]:
            level = str(row["domain"].get(breakdown, "")) if breakdown else ""
            out.append(_estimate_row(indicator, level, row, breakdown=breakdown))
    return out


def weight_diagnostics(
    weights: list[float], method: str, uncovered: list[str], source: InstrumentInput
) -> WeightDiagnostics:
    w = np.asarray(weights, dtype=np.float64)
    w = w[w > 0]
    total = int(sum(c["population"] for c in source.population))
    covered = total - sum(
        c["population"] for c in source.population if c["stratum"] in set(uncovered)
    )
    ess = float(w.sum() ** 2 / (w * w).sum()) if len(w) else 0.0
    return WeightDiagnostics(
        respondents=len(w),
        population=total,
        covered_population=covered,
        method=method,
        minimum=float(w.min()) if len(w) else 0.0,
        maximum=float(w.max()) if len(w) else 0.0,
        ratio=float(w.max() / w.min()) if len(w) else 0.0,
        effective_n=ess,
        design_effect=len(w) / ess if ess else 0.0,
        uncovered=uncovered,
    )


def response_by_stratum(source: InstrumentInput) -> list[dict[str, Any]]:
    cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in source.population:
        cells[c["stratum"]][0] += c["population"]
        cells[c["stratum"]][1] += c["respondents"]
    return [
        {
            "stratum": s,
            "tier": s.split(":")[0],
            "function": s.split(":")[-1],
            "population": p,
            "respondents": r,
            "rate": r / p if p else 0.0,
        }
        for s, (p, r) in sorted(cells.items())
    ]


def analyse_instrument(
    source: InstrumentInput,
    indicators: IndicatorSet,
    out_dir: Path,
    progress: Callable[[str], None] | None = None,
    *,
    change: tuple[int, int, InstrumentInput, set[str]] | None = None,
) -> InstrumentResult:
    """Write the data set and the specs of one instrument into ``out_dir`` and run them.

    ``change`` = (earlier edition, this edition, the earlier wave's input, indicator ids): the
    change of those indicators against the earlier wave's microdata (``analyse_change``)."""
    chosen = indicators.for_instrument(source.instrument)
    columns = build_columns(source, chosen)
    data_file = f"{source.instrument}.parquet"
    calibration, method, uncovered = calibration_steps(source, columns)
    spec = build_spec(data_file, chosen, columns, calibration)
    unweighted_spec = build_unweighted_spec(data_file, chosen, columns)
    # One conversion of the table that is written, for every spec (see the module docstring).
    table = data_table(columns)
    data = Table.from_arrow(table)
    result = run_table(parse_spec(spec), data)
    if progress:
        progress(source.instrument)
    unweighted_result = run_table(parse_spec(unweighted_spec), data)
    # The final weight is part of the published data set; computed by the same spec.
    columns["weight_final"] = np.asarray(
        [math.nan if w is None else w for w in result["weights"]], dtype=np.float64
    )
    table = table.append_column("weight_final", pa.array(columns["weight_final"]))
    write_data(columns, out_dir / data_file, table=table)
    change_result = None
    if change is not None:
        earlier, later, previous, ids = change
        change_result = analyse_change(
            (earlier, previous),
            (later, columns),
            chosen,
            [i for i in chosen if i.id in ids],
            out_dir,
        )
    return InstrumentResult(
        instrument=source.instrument,
        data_file=data_file,
        spec=spec,
        unweighted_spec=unweighted_spec,
        result=result,
        unweighted_result=unweighted_result,
        estimates=estimates_from(result),
        unweighted=estimates_from(unweighted_result),
        weights=weight_diagnostics(result["weights"], method, uncovered, source),
        response=response_by_stratum(source),
        change=change_result,
    )


# --- change between waves ----------------------------------------------------------------------


@dataclass
class Contrast:
    """One contrast, later minus earlier, of the change spec, with the two editions' estimates."""

    indicator: str
    level: str  # "" for the whole population, else the tier
    earlier: Estimate
    later: Estimate
    difference: float
    se: float
    df: float
    low: float
    high: float
    p_value: float


@dataclass
class ChangeResult:
    """The design-based change between two waves of one instrument (ADR 0139)."""

    earlier: int
    later: int
    data_file: str
    spec: dict[str, Any]
    result: dict[str, Any]
    contrasts: list[Contrast]

    def previous_estimates(self) -> list[Estimate]:
        """The earlier wave's estimates (total and per tier): what disclosure control checks
        before a change is published."""
        return [c.earlier for c in self.contrasts]


def edition_domains(stacked: dict[str, npt.NDArray[Any]]) -> list[tuple[str, str]]:
    """The (edition, tier) domains of ``by: [edition, tier]`` on the stacked data, in the
    engine's output order (sorted levels; a domain needs a row of non-zero weight; rows without
    a tier are in none)."""
    w = stacked["weight_final"]
    keep = (w != 0) & ~np.isnan(w)
    edition, tier = stacked["edition"], stacked["tier"]
    pairs = {
        (str(e), str(t))
        for e in set(edition[keep].tolist())
        for t in set(tier[keep & (edition == e)].tolist())
        if t is not None
    }
    return sorted(pairs)


def change_spec(
    data_file: str,
    indicators: list[Indicator],
    editions: tuple[int, int],
    domains: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Stacked waves, each calibrated to its own frame: per indicator the proportion by edition
    and the contrast later minus earlier with the full covariance (the strata of the two waves
    are disjoint: independent samples); with ``domains`` (the (edition, tier) domains of the
    stacked data, as ``edition_domains`` gives them) also by edition x tier, a contrast per
    tier present in both editions."""
    earlier, later = (str(e) for e in editions)
    estimates: list[dict[str, Any]] = []
    contrasts: list[dict[str, Any]] = []
    base = {"statistic": "proportion", "ci": "beta", "level": LEVEL}
    for ind in indicators:
        estimates.append({"id": ind.id, **base, "variable": ind.column, "by": ["edition"]})
        contrasts.append({"id": f"{ind.id}__change", "of": ind.id, "coefficients": [-1, 1]})
        if not domains:
            continue
        estimates.append(
            {"id": f"{ind.id}__tier", **base, "variable": ind.column, "by": ["edition", "tier"]}
        )
        for tier in sorted({t for e, t in domains if e == later and (earlier, t) in domains}):
            coefficients = [
                -1 if d == (earlier, tier) else 1 if d == (later, tier) else 0 for d in domains
            ]
            contrasts.append(
                {
                    "id": f"{ind.id}__tier__{tier}__change",
                    "of": f"{ind.id}__tier",
                    "coefficients": coefficients,
                }
            )
    return {
        "data": data_file,
        "design": {
            "ids": [],
            "strata": "wave_stratum",
            "weights": "weight_final",
            "probs": None,
            "fpc": ["stratum_population"],
            "nest": False,
            "lonely_psu": "adjust",
        },
        "replicates": None,
        "calibration": [],
        "subset": None,
        "estimates": estimates,
        "contrasts": contrasts,
        "tests": [],
        "output_weights": False,
    }


def stack_waves(
    earlier: tuple[int, dict[str, npt.NDArray[Any]]],
    later: tuple[int, dict[str, npt.NDArray[Any]]],
    names: list[str],
) -> dict[str, npt.NDArray[Any]]:
    """Two weighted data sets (with ``weight_final``) as one, with ``edition`` and
    ``wave_stratum``. The calibrated weights are used as fixed weights: the contrast's SE then
    omits the calibration gain (slightly conservative), which the method chapter says."""
    out: dict[str, npt.NDArray[Any]] = {}
    for name in [*names, "stratum", "stratum_population", "weight_final"]:
        a, b = earlier[1].get(name), later[1].get(name)
        if a is None or b is None:
            continue
        out[name] = np.concatenate([a, b])
    n1, n2 = len(earlier[1]["stratum"]), len(later[1]["stratum"])
    edition = np.empty(n1 + n2, dtype=object)
    edition[:n1], edition[n1:] = str(earlier[0]), str(later[0])
    out["edition"] = edition
    # "2014:gemeente:raadslid": the strata are few, so each label is made once per stratum
    wave_stratum = []
    for year, columns in (earlier, later):
        label = {s: f"{year}:{s}" for s in set(columns["stratum"].tolist())}
        wave_stratum += [label[s] for s in columns["stratum"].tolist()]
    out["wave_stratum"] = np.array(wave_stratum, dtype=object)
    return out


def with_bases(chosen: list[Indicator], indicators: list[Indicator]) -> list[Indicator]:
    """``chosen`` and the indicators their populations are defined by (victims, …)."""
    by_id = {i.id: i for i in indicators}
    out: dict[str, Indicator] = {}
    todo = list(chosen)
    while todo:
        ind = todo.pop()
        if ind.id not in out:
            out[ind.id] = ind
            base = (ind.population or {}).get("indicator")
            if base in by_id:
                todo.append(by_id[base])
    return list(out.values())


def calibrated_columns(
    source: InstrumentInput, indicators: list[Indicator]
) -> dict[str, npt.NDArray[Any]]:
    """An earlier wave's data set with its own calibrated weight (``weight_final``): the same
    design and calibration as ``analyse_instrument`` gives the current wave, without its
    estimates (and with only the columns the change spec and the calibration use)."""
    t = source.table
    gender = [UNKNOWN_GENDER if g in (None, "") else str(g) for g in t["gender"]]
    columns: dict[str, npt.NDArray[Any]] = {
        "stratum": _strings(t["stratum"]),
        "tier": _strings(t["tier"]),
        "gender_cal": np.array(gender, dtype=object),
        "stratum_population": np.asarray(t["stratum_population"], dtype=np.float64),
        "base_weight": np.asarray(
            [math.nan if w is None else w for w in t["base_weight"]], dtype=np.float64
        ),
    }
    columns.update(derive(indicators, t))
    calibration, _method, _uncovered = calibration_steps(source, columns)
    spec = build_spec(f"{source.instrument}.parquet", indicators, columns, calibration)
    spec["estimates"] = []
    needed = ("stratum", "gender_cal", "base_weight", "stratum_population")
    result = run_table(
        parse_spec(spec), Table.from_arrow(data_table({k: columns[k] for k in needed}))
    )
    columns["weight_final"] = np.asarray(
        [math.nan if w is None else w for w in result["weights"]], dtype=np.float64
    )
    return columns


def _estimate_row(
    indicator: str, level: str, row: dict[str, Any], *, breakdown: str | None = None
) -> Estimate:
    """One result row of the engine as an Estimate (a change spec's rows are per tier)."""
    return Estimate(
        indicator=indicator,
        breakdown=("tier" if level else "") if breakdown is None else breakdown,
        level=level,
        estimate=_num(row["estimate"]),
        se=_num(row["se"]),
        ci_low=_num(row["ci_low"]),
        ci_high=_num(row["ci_high"]),
        df=_num(row["df"]),
        n=int(row["n"]),
    )


def contrasts_from(result: dict[str, Any], editions: tuple[int, int]) -> list[Contrast]:
    """The contrasts of a change spec's result, each with its two editions' estimates."""
    earlier, later = (str(e) for e in editions)
    rows = {e["id"]: e["rows"] for e in result["estimates"]}
    out = []
    for c in result["contrasts"]:
        of, _, _ = c["id"].rpartition("__change")
        indicator, _, rest = of.partition("__tier")
        level = rest.removeprefix("__")
        spec_rows = rows[f"{indicator}__tier" if level else indicator]
        pick = {
            (r["domain"]["edition"], r["domain"].get("tier", "")): r
            for r in spec_rows
            if r["domain"].get("tier", "") == level
        }
        if c["estimate"] is None or c["se"] is None or c["p_value"] is None:
            continue  # no answers to compare in one of the waves
        out.append(
            Contrast(
                indicator=indicator,
                level=level,
                earlier=_estimate_row(indicator, level, pick[(earlier, level)]),
                later=_estimate_row(indicator, level, pick[(later, level)]),
                difference=float(c["estimate"]),
                se=float(c["se"]),
                df=float(c["df"]),
                low=float(c["ci_low"]),
                high=float(c["ci_high"]),
                p_value=float(c["p_value"]),
            )
        )
    return out


def analyse_change(
    previous: tuple[int, InstrumentInput],
    current: tuple[int, dict[str, npt.NDArray[Any]]],
    indicators: list[Indicator],
    changed: list[Indicator],
    out_dir: Path,
) -> ChangeResult:
    """The change spec of ``changed`` over the stacked earlier and current waves: written with
    its data into ``out_dir`` (so ``vib stats run`` reproduces it) and run on one conversion of
    the stacked table."""
    earlier, source = previous
    later = current[0]
    before = calibrated_columns(source, with_bases(changed, indicators))
    names = [i.column for i in changed] + ["tier"]
    stacked = stack_waves((earlier, before), current, names)
    domains = edition_domains(stacked)
    data_file = f"{source.instrument}.change-{earlier}-{later}.parquet"
    spec = change_spec(data_file, changed, (earlier, later), domains)
    table = data_table(stacked)  # written as it is run: one conversion (module docstring)
    result = run_table(parse_spec(spec), Table.from_arrow(table))
    for est in result["estimates"]:
        if est["id"].endswith("__tier"):
            got = [(r["domain"]["edition"], r["domain"]["tier"]) for r in est["rows"]]
            if got != domains:  # the coefficients address rows by position
                raise RuntimeError(f"{est['id']}: domains {got} are not {domains}")
    pq.write_table(table, out_dir / data_file)
    return ChangeResult(
        earlier, later, data_file, spec, result, contrasts_from(result, (earlier, later))
    )
