"""Parsing and validation of the analysis spec (see docs/analysis-spec.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import StatsError

OPS = ("==", "!=", "<", "<=", ">", ">=", "in")
LONELY = ("fail", "remove", "certainty", "adjust", "average")
STATISTICS = ("mean", "total", "proportion", "ratio")
CI_GENERAL = ("t", "normal")
CI_PROPORTION = ("xlogit", "logit", "likelihood", "beta", "wilson", "asin", "mean")
REP_TYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap")
BOOTSTRAP = ("bootstrap", "subbootstrap")
MAX_BOOTSTRAP = 10_000


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: Any


Variable = str | Condition


@dataclass
class DesignSpec:
    ids: list[str] = field(default_factory=list)
    strata: str | None = None
    weights: str | None = None
    probs: str | None = None
    fpc: list[str] = field(default_factory=list)
    nest: bool = False
    lonely_psu: str = "fail"


@dataclass
class ReplicateSpec:
    type: str
    rho: float = 0.0
    mse: bool = False
    columns: list[str] | None = None
    combined_weights: bool = True
    scale: float | None = None
    rscales: list[float] | None = None
    rho_given: bool = False
    count: int = 50  # bootstrap replicates generated from the design
    seed: int | None = None


@dataclass
class Margin:
    variables: list[str]
    population: list[tuple[tuple[Any, ...], float]]


@dataclass
class CalibrationStep:
    method: str
    margins: list[Margin] = field(default_factory=list)
    epsilon: float = 1.0
    maxit: int = 10
    terms: list[str] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)


@dataclass
class EstimateSpec:
    id: str
    statistic: str
    variable: Variable | None = None
    numerator: Variable | None = None
    denominator: Variable | None = None
    by: list[str] = field(default_factory=list)
    na_rm: bool = True
    deff: bool | str = False
    ci: str = "t"
    level: float = 0.95


@dataclass
class ContrastSpec:
    id: str
    of: str
    coefficients: list[float]
    level: float = 0.95


@dataclass
class TestSpec:
    type: str
    variable: Variable | None = None
    group: str | None = None
    variables: list[Variable] = field(default_factory=list)
    statistic: str = "F"
    id: str | None = None


@dataclass
class Spec:
    data: str
    design: DesignSpec
    replicates: ReplicateSpec | None
    calibration: list[CalibrationStep]
    subset: Condition | None
    estimates: list[EstimateSpec]
    contrasts: list[ContrastSpec]
    tests: list[TestSpec]
    output_weights: bool


def _err(msg: str, where: str) -> StatsError:
    return StatsError(msg, where)


def _obj(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise _err("must be an object", where)
    return v


def _check_keys(d: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise _err(f"unknown field(s) {', '.join(map(repr, extra))}", where)


def _str(v: Any, where: str, *, optional: bool = False) -> str | None:
    if v is None and optional:
        return None
    if not isinstance(v, str) or not v:
        raise _err("must be a non-empty string", where)
    return v


def _req_str(v: Any, where: str) -> str:
    s = _str(v, where)
    assert s is not None
    return s


def _str_list(v: Any, where: str, *, allow_single: bool = True) -> list[str]:
    if v is None:
        return []
    if allow_single and isinstance(v, str):
        return [v]
    if not isinstance(v, list):
        raise _err("must be a list of column names", where)
    return [_req_str(x, f"{where}[{i}]") for i, x in enumerate(v)]


def _bool(v: Any, where: str, default: bool) -> bool:
    if v is None:
        return default
    if not isinstance(v, bool):
        raise _err("must be true or false", where)
    return v


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _err("must be a number", where)
    return float(v)


def parse_condition(v: Any, where: str) -> Condition:
    d = _obj(v, where)
    _check_keys(d, {"column", "op", "value"}, where)
    column = _req_str(d.get("column"), f"{where}.column")
    op = d.get("op")
    if op not in OPS:
        raise _err(f"must be one of {', '.join(OPS)}", f"{where}.op")
    if "value" not in d:
        raise _err("missing", f"{where}.value")
    value = d["value"]
    if op == "in":
        if not isinstance(value, list) or not value:
            raise _err("must be a non-empty list for op 'in'", f"{where}.value")
        value = tuple(value)
    elif isinstance(value, list | dict) or value is None:
        raise _err("must be a number or a string", f"{where}.value")
    return Condition(column, op, value)


def parse_variable(v: Any, where: str) -> Variable:
    if isinstance(v, str):
        return _req_str(v, where)
    if isinstance(v, dict):
        return parse_condition(v, where)
    raise _err("must be a column name or a condition object", where)


def _parse_design(v: Any) -> DesignSpec:
    d = _obj(v, "design")
    _check_keys(d, {"ids", "strata", "weights", "probs", "fpc", "nest", "lonely_psu"}, "design")
    ds = DesignSpec(
        ids=_str_list(d.get("ids"), "design.ids"),
        strata=_str(d.get("strata"), "design.strata", optional=True),
        weights=_str(d.get("weights"), "design.weights", optional=True),
        probs=_str(d.get("probs"), "design.probs", optional=True),
        fpc=_str_list(d.get("fpc"), "design.fpc"),
        nest=_bool(d.get("nest"), "design.nest", False),
        lonely_psu=d.get("lonely_psu", "fail") or "fail",
    )
    if ds.lonely_psu not in LONELY:
        raise _err(f"must be one of {', '.join(LONELY)}", "design.lonely_psu")
    if ds.weights and ds.probs:
        raise _err("give either weights or probs, not both", "design.probs")
    if len(ds.fpc) > max(1, len(ds.ids)):
        raise _err("more fpc columns than sampling stages", "design.fpc")
    return ds


def _bootstrap_count_and_seed(d: dict[str, Any], *, generated: bool) -> tuple[Any, Any]:
    """``count`` and ``seed`` of bootstrap replicates generated from the design; refused for
    any other replicate design."""
    count = d.get("count", 50)
    seed = d.get("seed")
    if not generated:
        if "count" in d or "seed" in d:
            raise _err(
                "count and seed are for bootstrap replicates generated from the design",
                "replicates.count" if "count" in d else "replicates.seed",
            )
        return count, seed
    if isinstance(count, bool) or not isinstance(count, int) or not 2 <= count <= MAX_BOOTSTRAP:
        raise _err(f"must be a whole number from 2 to {MAX_BOOTSTRAP}", "replicates.count")
    if seed is None:
        raise _err(
            "generated bootstrap replicates need a seed, so the numbers can be reproduced",
            "replicates.seed",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _err("must be a non-negative whole number", "replicates.seed")
    return count, seed


def _parse_replicates(v: Any) -> ReplicateSpec | None:
    if v is None:
        return None
    d = _obj(v, "replicates")
    _check_keys(
        d,
        {"type", "rho", "mse", "columns", "combined_weights", "scale", "rscales", "count", "seed"},
        "replicates",
    )
    typ = d.get("type")
    if typ not in REP_TYPES:
        raise _err(f"must be one of {', '.join(REP_TYPES)}", "replicates.type")
    rho = _number(d.get("rho", 0) or 0, "replicates.rho")
    if not 0 <= rho < 1:
        raise _err("must be in [0, 1)", "replicates.rho")
    cols = d.get("columns")
    columns = None if cols is None else _str_list(cols, "replicates.columns", allow_single=False)
    if columns is not None and len(columns) < 2:
        raise _err("needs at least two replicate weight columns", "replicates.columns")
    if typ == "Fay" and columns is not None and d.get("rho") is None:
        # R's svrepdesign stops: the rho of given Fay replicate weights cannot be guessed
        raise _err(
            "Fay replicate weight columns need the rho they were made with", "replicates.rho"
        )
    count, seed = _bootstrap_count_and_seed(d, generated=typ in BOOTSTRAP and columns is None)
    scale = d.get("scale")
    rscales = d.get("rscales")
    rs = None
    if rscales is not None:
        if not isinstance(rscales, list):
            raise _err("must be a list of numbers", "replicates.rscales")
        rs = [_number(x, f"replicates.rscales[{i}]") for i, x in enumerate(rscales)]
    return ReplicateSpec(
        type=typ,
        rho=rho,
        mse=_bool(d.get("mse"), "replicates.mse", False),
        columns=columns,
        combined_weights=_bool(d.get("combined_weights"), "replicates.combined_weights", True),
        scale=None if scale is None else _number(scale, "replicates.scale"),
        rscales=rs,
        rho_given=d.get("rho") is not None,
        count=count,
        seed=seed,
    )


def _parse_population(
    v: Any, variables: list[str], where: str
) -> list[tuple[tuple[Any, ...], float]]:
    if not isinstance(v, list) or not v:
        raise _err("must be a non-empty list of cells", where)
    out = []
    for i, cell in enumerate(v):
        c = _obj(cell, f"{where}[{i}]")
        for var in variables:
            if var not in c:
                raise _err(f"missing the value of {var!r}", f"{where}[{i}]")
        if "N" not in c:
            raise _err("missing the population count N", f"{where}[{i}]")
        n = _number(c["N"], f"{where}[{i}].N")
        out.append((tuple(c[var] for var in variables), n))
    return out


def _margin(m: Any, where: str) -> Margin:
    md = _obj(m, where)
    variables = _str_list(md.get("variables"), f"{where}.variables")
    if not variables:
        raise _err("needs at least one variable", f"{where}.variables")
    return Margin(
        variables, _parse_population(md.get("population"), variables, f"{where}.population")
    )


def _poststratify_step(d: dict[str, Any], where: str) -> CalibrationStep:
    _check_keys(d, {"method", "variables", "population"}, where)
    return CalibrationStep("poststratify", margins=[_margin(d, where)])


def _rake_step(d: dict[str, Any], where: str) -> CalibrationStep:
    _check_keys(d, {"method", "margins", "epsilon", "maxit"}, where)
    ms = d.get("margins")
    if not isinstance(ms, list) or not ms:
        raise _err("must be a non-empty list", f"{where}.margins")
    margins = [_margin(m, f"{where}.margins[{j}]") for j, m in enumerate(ms)]
    eps = _number(d.get("epsilon", 1), f"{where}.epsilon")
    maxit = d.get("maxit", 10)
    if isinstance(maxit, bool) or not isinstance(maxit, int) or maxit < 1:
        raise _err("must be a positive integer", f"{where}.maxit")
    if eps <= 0:
        raise _err("must be positive", f"{where}.epsilon")
    return CalibrationStep("rake", margins=margins, epsilon=eps, maxit=maxit)


def _linear_step(d: dict[str, Any], where: str) -> CalibrationStep:
    _check_keys(d, {"method", "terms", "population"}, where)
    terms = _str_list(d.get("terms"), f"{where}.terms")
    pop_totals = _obj(d.get("population"), f"{where}.population")
    totals = {k: _number(val, f"{where}.population.{k}") for k, val in pop_totals.items()}
    return CalibrationStep("linear", terms=terms, totals=totals)


CALIBRATION_STEPS = {"poststratify": _poststratify_step, "rake": _rake_step, "linear": _linear_step}


def _parse_calibration(v: Any) -> list[CalibrationStep]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise _err("must be a list of steps", "calibration")
    steps = []
    for i, s in enumerate(v):
        where = f"calibration[{i}]"
        d = _obj(s, where)
        method = d.get("method")
        parse = CALIBRATION_STEPS.get(method) if isinstance(method, str) else None
        if parse is None:
            raise _err("must be poststratify, rake or linear", f"{where}.method")
        steps.append(parse(d, where))
    return steps


def _parse_estimate(v: Any, i: int) -> EstimateSpec:
    where = f"estimates[{i}]"
    d = _obj(v, where)
    _check_keys(
        d,
        {
            "id",
            "statistic",
            "variable",
            "numerator",
            "denominator",
            "by",
            "na_rm",
            "deff",
            "ci",
            "level",
        },
        where,
    )
    eid = _req_str(d.get("id"), f"{where}.id")
    stat = d.get("statistic")
    if stat not in STATISTICS:
        raise _err(f"must be one of {', '.join(STATISTICS)}", f"{where}.statistic")
    est = EstimateSpec(id=eid, statistic=stat)
    if stat == "ratio":
        if "numerator" not in d or "denominator" not in d:
            raise _err("a ratio needs numerator and denominator", where)
        est.numerator = parse_variable(d["numerator"], f"{where}.numerator")
        est.denominator = parse_variable(d["denominator"], f"{where}.denominator")
    else:
        if "variable" not in d:
            raise _err("missing", f"{where}.variable")
        est.variable = parse_variable(d["variable"], f"{where}.variable")
    est.by = _str_list(d.get("by"), f"{where}.by")
    est.na_rm = _bool(d.get("na_rm"), f"{where}.na_rm", True)
    deff = d.get("deff", False)
    if deff is None:
        deff = False
    if deff not in (True, False, "replace"):
        raise _err('must be false, true or "replace"', f"{where}.deff")
    est.deff = deff
    ci = d.get("ci", "t") or "t"
    allowed = CI_GENERAL + (CI_PROPORTION if stat == "proportion" else ())
    if ci not in allowed:
        raise _err(f"must be one of {', '.join(allowed)} for {stat}", f"{where}.ci")
    est.ci = ci
    level = _number(d.get("level", 0.95), f"{where}.level")
    if not 0 < level < 1:
        raise _err("must be between 0 and 1", f"{where}.level")
    est.level = level
    return est


def _parse_contrast(v: Any, i: int) -> ContrastSpec:
    where = f"contrasts[{i}]"
    d = _obj(v, where)
    _check_keys(d, {"id", "of", "coefficients", "level"}, where)
    coefs = d.get("coefficients")
    if not isinstance(coefs, list) or not coefs:
        raise _err("must be a non-empty list of numbers", f"{where}.coefficients")
    level = _number(d.get("level", 0.95), f"{where}.level")
    if not 0 < level < 1:
        raise _err("must be between 0 and 1", f"{where}.level")
    return ContrastSpec(
        id=_req_str(d.get("id"), f"{where}.id"),
        of=_req_str(d.get("of"), f"{where}.of"),
        coefficients=[_number(c, f"{where}.coefficients[{j}]") for j, c in enumerate(coefs)],
        level=level,
    )


def _parse_test(v: Any, i: int) -> TestSpec:
    where = f"tests[{i}]"
    d = _obj(v, where)
    typ = d.get("type")
    if typ == "ttest":
        _check_keys(d, {"type", "variable", "group", "id"}, where)
        if "variable" not in d:
            raise _err("missing", f"{where}.variable")
        return TestSpec(
            type="ttest",
            id=d.get("id"),
            variable=parse_variable(d["variable"], f"{where}.variable"),
            group=_req_str(d.get("group"), f"{where}.group"),
        )
    if typ == "chisq":
        _check_keys(d, {"type", "variables", "statistic", "id"}, where)
        vs = d.get("variables")
        if not isinstance(vs, list) or len(vs) != 2:
            raise _err("must list exactly two variables", f"{where}.variables")
        stat = d.get("statistic", "F") or "F"
        if stat not in ("F", "Chisq"):
            raise _err("must be F or Chisq", f"{where}.statistic")
        return TestSpec(
            type="chisq",
            id=d.get("id"),
            statistic=stat,
            variables=[parse_variable(x, f"{where}.variables[{j}]") for j, x in enumerate(vs)],
        )
    raise _err("must be ttest or chisq", f"{where}.type")


def parse_spec(raw: Any) -> Spec:
    d = _obj(raw, "spec")
    _check_keys(
        d,
        {
            "data",
            "design",
            "replicates",
            "calibration",
            "subset",
            "estimates",
            "contrasts",
            "tests",
            "output_weights",
        },
        "spec",
    )
    data = _req_str(d.get("data"), "data")
    if "design" not in d:
        raise _err("missing", "design")
    estimates_raw = d.get("estimates", [])
    if not isinstance(estimates_raw, list):
        raise _err("must be a list", "estimates")
    estimates = [_parse_estimate(e, i) for i, e in enumerate(estimates_raw)]
    ids = [e.id for e in estimates]
    if len(set(ids)) != len(ids):
        raise _err("estimate ids must be unique", "estimates")
    contrasts_raw = d.get("contrasts", []) or []
    if not isinstance(contrasts_raw, list):
        raise _err("must be a list", "contrasts")
    contrasts = [_parse_contrast(c, i) for i, c in enumerate(contrasts_raw)]
    for i, c in enumerate(contrasts):
        if c.of not in ids:
            raise _err(f"refers to unknown estimate {c.of!r}", f"contrasts[{i}].of")
    tests_raw = d.get("tests", []) or []
    if not isinstance(tests_raw, list):
        raise _err("must be a list", "tests")
    subset = d.get("subset")
    return Spec(
        data=data,
        design=_parse_design(d["design"]),
        replicates=_parse_replicates(d.get("replicates")),
        calibration=_parse_calibration(d.get("calibration")),
        subset=None if subset is None else parse_condition(subset, "subset"),
        estimates=estimates,
        contrasts=contrasts,
        tests=[_parse_test(t, i) for i, t in enumerate(tests_raw)],
        output_weights=_bool(d.get("output_weights"), "output_weights", False),
    )
