"""Benchmark of the monitor report (not part of the test suite).

    VIB_ENV=test .venv/bin/python bench/monitor_bench.py [--office-holders 20000]
        [--employees 40000] [--organisations 1500] [--format pdf]

A synthetic national wave (no database: the response tables and frame counts are generated in
the shape of ``vib.surveys.selectors.response_table`` / ``population_counts``) goes through the
whole report: derived indicators, weighted data set, every analysis spec through ``vib.stats``
(one conversion of each instrument's data set, every spec on it; raking, fpc, Korn-Graubard),
disclosure control, findings, charts, province and organisation factsheets, the HTML and the
tagged PDF, and the bundle. A previous wave (2014: the same sizes, lower office-holder rates) is
generated the same way, so the analysis stage also calibrates it and tests every key indicator's
change, in total and per tier, as the contrast between the stacked waves (ADR 0139);
``--no-previous`` leaves it out (the change is then tested against the published figure). Prints
the wall and processor time per stage and the process's peak resident memory. Targets: ≤ 30 s,
≤ 1.5 GB, the analysis stage (every instrument's specs, the change specs included) ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# (tier, function): (frame size, response propensity, A&G rate) — national sizes
OFFICE_HOLDERS = {
    ("gemeente", "burgemeester"): (342, 0.70, 0.55),
    ("gemeente", "wethouder"): (1300, 0.55, 0.36),
    ("gemeente", "raadslid"): (8800, 0.40, 0.26),
    ("provincie", "cdk"): (12, 0.75, 0.50),
    ("provincie", "gedeputeerde"): (80, 0.60, 0.33),
    ("provincie", "statenlid"): (570, 0.50, 0.22),
    ("waterschap", "dijkgraaf"): (21, 0.70, 0.24),
    ("waterschap", "db_lid"): (100, 0.55, 0.15),
    ("waterschap", "ab_lid"): (600, 0.45, 0.10),
}
EMPLOYEES = {
    ("gemeente", "medewerker"): (60000, 0.35, 0.30),
    ("provincie", "medewerker"): (12000, 0.40, 0.18),
    ("waterschap", "medewerker"): (10000, 0.38, 0.15),
    ("rijk", "medewerker"): (30000, 0.30, 0.22),
}
PROVINCES = [
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
]  # fmt: skip


def _table(
    instrument: Any,
    strata: dict[Any, tuple[int, float, float]],
    target: int,
    rng: random.Random,
    organisations: list[tuple[str, str]] | None = None,
    edition: int = 2016,
    factor: float = 1.0,
):
    from vib.surveys.selectors import FIXED_COLUMNS, answer_columns

    columns = answer_columns(instrument)
    frame = sum(v[0] for v in strata.values())
    scale = target / sum(v[0] * v[1] for v in strata.values())
    table: dict[str, list[Any]] = {name: [] for name in FIXED_COLUMNS}
    table.update({c.name: [] for c in columns})
    population = []
    for (tier, function), (size, propensity, rate) in strata.items():
        n = max(2, round(size * propensity * scale))
        size = max(size, n)
        women = round(size * 0.35)
        population += [
            {"tier": tier, "function": function, "gender": "v",
             "stratum": f"{tier}:{function}", "population": women, "respondents": 0},
            {"tier": tier, "function": function, "gender": "m",
             "stratum": f"{tier}:{function}", "population": size - women, "respondents": 0},
        ]  # fmt: skip
        for i in range(n):
            victim = rng.random() < rate * factor
            gender = "v" if rng.random() < 0.35 else "m"
            population[-2 if gender == "v" else -1]["respondents"] += 1
            org = organisations[i % len(organisations)] if organisations else None
            fixed = (str(i), edition, instrument.code, instrument.version, tier, function,
                     None if organisations else gender, f"{tier}:{function}",
                     org[0] if org else None, size, n, size / n)  # fmt: skip
            for name, value in zip(FIXED_COLUMNS, fixed, strict=True):
                table[name].append(value)
            for c in columns:
                q = c.question
                if c.option:
                    if q.id == "ag_types":
                        v = int(c.option != "none") * int(victim and rng.random() < 0.5)
                        if c.option == "none":
                            v = int(not victim)
                    else:
                        v = (
                            int(rng.random() < 0.3)
                            if (victim or not q.id.startswith(("ag_c", "inc", "avoid")))
                            else None
                        )
                elif c.row:
                    v = rng.choice(q.option_values())
                elif c.kind == "integer":
                    v = rng.randint(q.minimum or 0, min(q.maximum or 5, (q.minimum or 0) + 40))
                else:
                    v = rng.choice(q.option_values()) if q.options else None
                table[c.name].append(v)
    if organisations:
        for cell in population:
            cell["gender"] = None
    _ = frame
    return table, population


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--office-holders", type=int, default=20000)
    parser.add_argument("--employees", type=int, default=40000)
    parser.add_argument("--organisations", type=int, default=1500)
    parser.add_argument("--format", choices=("pdf", "html"), default="pdf")
    parser.add_argument("--no-previous", action="store_true", help="no 2014 wave")
    args = parser.parse_args()
    os.environ.setdefault("VIB_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vib.conf.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from vib.monitor.analysis import InstrumentInput
    from vib.monitor.report import OrganisationInfo, ReportInput, write_report
    from vib.surveys.questionnaires import load_instrument

    rng = random.Random(2016)
    t0 = time.perf_counter()
    oh, oh_pop = _table(load_instrument("office_holders-2016.1"), OFFICE_HOLDERS,
                        args.office_holders, rng)  # fmt: skip
    emp, emp_pop = _table(load_instrument("employees-2016.1"), EMPLOYEES, args.employees, rng)
    n_orgs = args.organisations // 2 + 1
    registry = {}
    for i in range(n_orgs):
        tier = ["gemeente"] * 8 + ["provincie", "waterschap", "rijk"]
        t = tier[i % len(tier)]
        code = f"ORG{i:04d}"
        registry[code] = OrganisationInfo(
            code, f"Organisatie {i}", t, ["xs", "s", "m", "l"][i % 4] if t == "gemeente" else "",
            PROVINCES[i % 12] if t != "rijk" else None,
        )  # fmt: skip
    orgs = [(c, i.tier) for c, i in registry.items()]
    org_strata = {
        (t, f): (sum(1 for _, ti in orgs if ti == t), 1.0, 0.0)
        for t in ("gemeente", "provincie", "waterschap", "rijk")
        for f in ("secretaris", "griffier")
    }
    org_table, org_pop = _table(load_instrument("organisations-2016.1"), org_strata,
                                args.organisations, rng, orgs)  # fmt: skip
    sources = {
        "office_holders": InstrumentInput("office_holders", oh, oh_pop),
        "employees": InstrumentInput("employees", emp, emp_pop),
        "organisations": InstrumentInput(
            "organisations",
            org_table,
            org_pop,
            {c: i.province for c, i in registry.items() if i.province},
        ),
    }
    print(
        f"generated {len(oh['stratum'])} office-holder, {len(emp['stratum'])} employee and "
        f"{len(org_table['stratum'])} organisation responses in {time.perf_counter() - t0:.1f} s"
    )
    inp = ReportInput(2016, "Monitor Integriteit en Veiligheid 2016 (benchmark)", sources,
                      organisations=registry)  # fmt: skip
    if not args.no_previous:
        t0 = time.perf_counter()
        inp.previous_edition = 2014
        inp.previous_sources = {
            "office_holders": InstrumentInput("office_holders", *_table(
                load_instrument("office_holders-2016.1"), OFFICE_HOLDERS, args.office_holders,
                rng, edition=2014, factor=0.85)),
            "employees": InstrumentInput("employees", *_table(
                load_instrument("employees-2016.1"), EMPLOYEES, args.employees, rng,
                edition=2014)),
            "organisations": InstrumentInput("organisations", *_table(
                load_instrument("organisations-2016.1"), org_strata, args.organisations, rng,
                orgs, edition=2014), sources["organisations"].provinces),
        }  # fmt: skip
        print(f"generated the 2014 wave the same way in {time.perf_counter() - t0:.1f} s")
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    last = [time.perf_counter(), "start", time.process_time()]

    def progress(_pct: int, stage: str) -> None:
        now, now_cpu = time.perf_counter(), time.process_time()
        stages[str(last[1])] = stages.get(str(last[1]), 0.0) + now - float(last[0])
        cpu[str(last[1])] = cpu.get(str(last[1]), 0.0) + now_cpu - float(last[2])
        last[0], last[1], last[2] = now, stage.split(":")[0], now_cpu

    out = Path(tempfile.mkdtemp(prefix="vib-monitor-bench-")) / f"rapport.{args.format}"
    start = time.perf_counter()
    report = write_report(inp, args.format, out, progress)
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"report {args.format}: {total:.1f} s (target ≤ 30 s), peak RSS {peak:.0f} MB "
          f"(target ≤ 1536 MB), {out.stat().st_size / 1e6:.1f} MB, "
          f"{len(report.organisation_sheets)} organisation factsheets, "
          f"{sum(1 for s in report.province_sheets if s.allowed)} province factsheets")  # fmt: skip
    # processor time (all threads) beside wall time: on a shared machine the wall time of a
    # stage also counts the time other processes had the processors
    print(f"  {'stage':<10} {'wall':>7} {'cpu':>7}   (load average {os.getloadavg()[0]:.1f})")
    for stage, seconds in stages.items():
        print(f"  {stage:<10} {seconds:6.2f}s {cpu.get(stage, 0.0):6.2f}s")
    analyse = stages.get("analyse", 0.0)
    print(
        f"analysis stage {analyse:.2f} s wall, {cpu.get('analyse', 0.0):.2f} s cpu (target ≤ 2 s)"
    )
    ok = total <= 30 and peak <= 1536 and analyse <= 2
    print("OK" if ok else "MISSED TARGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
