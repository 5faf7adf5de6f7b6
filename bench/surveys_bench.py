"""Benchmarks of the surveys module (not part of the test suite).

    VIB_ENV=test .venv/bin/python bench/surveys_bench.py [--scale large] [--submits 200]

Builds a throw-away SQLite database (or uses DATABASE_URL) and measures: building the demo
2016 wave (the part ``vib demo`` waits for), the response-rate dashboard query, sending answers
(each one mixed with up to 8 older rows), closing (the full reshuffle) and the export to CSV,
Parquet and codebook. It also prints the demo's unweighted and weighted rates, to show what
weighting does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdb import setup_django_on_sqlite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=("small", "large"), default="large")
    parser.add_argument("--submits", type=int, default=200)
    args = parser.parse_args()
    setup_django_on_sqlite()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vib.core.demo import DemoContext
    from vib.organisations import demo as organisations_demo
    from vib.surveys import demo as surveys_demo
    from vib.surveys import services, tokens
    from vib.surveys.export import wave_export
    from vib.surveys.models import Invitation, Response, WaveStatus
    from vib.surveys.selectors import response_table, wave_progress

    call_command("migrate", verbosity=0)
    ctx = DemoContext(scale=args.scale, seed=1, rng=random.Random(1))
    organisations_demo.build(ctx)
    start = time.perf_counter()
    surveys_demo.build(ctx)
    build = time.perf_counter() - start
    wave = ctx.shared["survey_wave"]
    invitations = Invitation.objects.filter(wave=wave).count()
    responses = Response.objects.filter(wave=wave).count()
    print(
        f"demo wave ({args.scale}): {invitations} invitations, {responses} responses, {build:.2f} s"
    )

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        rows = wave_progress(wave=wave)
        dashboard = time.perf_counter() - start
    print(f"dashboard: {len(rows)} strata, {len(queries)} query, {dashboard * 1000:.1f} ms")

    table = response_table(wave=wave, instrument="office_holders")
    victim = [1 - none for none in table["ag_types__none"]]
    weights = table["base_weight"]
    influenced = [1 if v == "yes" else 0 for v in table["influence_decisions"]]
    raw = sum(victim) / len(victim)
    weighted = sum(v * w for v, w in zip(victim, weights, strict=True)) / sum(weights)
    swayed = sum(v * w for v, w in zip(influenced, weights, strict=True)) / sum(weights)
    print(
        f"office holders with A&G: unweighted {raw:.1%}, weighted {weighted:.1%}; "
        f"decisions influenced (weighted) {swayed:.1%}"
    )

    # Re-open the wave and send answers through the service.
    wave.status = WaveStatus.OPEN
    from django.utils import timezone

    today = timezone.localdate()
    wave.field_start, wave.field_end = today, today + dt.timedelta(days=7)
    wave.save()
    pending = list(
        Invitation.objects.filter(wave=wave, responded=False, instrument__code="office_holders")[
            : args.submits
        ]
    )
    links = []
    for invitation in pending:
        token = tokens.new_token()
        invitation.token_digest = tokens.invitation_digest(token)
        invitation.token = token
        links.append(token)
    Invitation.objects.bulk_update(pending, ["token_digest", "token"])
    answers = {
        "years_in_office": "lt2",
        "hours_per_week": 10,
        "ag_types": ["none"],
        "ag_family": "no",
        "safety_feeling": 4,
        "training": "never",
        "integrity_seen": ["none"],
        "integrity_advice": "no",
        "integrity_climate": {
            "open_discussion": "agree",
            "clear_rules": "agree",
            "good_example": "agree",
        },
    }
    samples = []
    for token in links:
        start = time.perf_counter()
        services.response_submit(token=token, answers=answers)
        samples.append(time.perf_counter() - start)
    samples.sort()
    print(
        f"send answers: median {statistics.median(samples) * 1000:.1f} ms, "
        f"p95 {samples[int(len(samples) * 0.95) - 1] * 1000:.1f} ms ({len(samples)} sends)"
    )
    start = time.perf_counter()
    shuffled = services.responses_shuffle(wave=wave)
    print(f"close (reshuffle {shuffled} responses): {time.perf_counter() - start:.2f} s")
    out = Path(tempfile.mkdtemp(prefix="vib-bench-")) / "export"
    start = time.perf_counter()
    result = wave_export(wave=wave, directory=out)
    elapsed = time.perf_counter() - start
    size = sum(f.stat().st_size for f in result.files)
    print(
        f"export: {sum(result.rows.values())} rows, {len(result.files)} files, "
        f"{size / 1e6:.1f} MB, {elapsed:.2f} s"
    )


if __name__ == "__main__":
    main()
