"""Benchmark of the public register (page, CSV, JSON) and the conflicts selector.

Builds one municipality with ``--people`` published declarants (a mix of raadsleden, full-time
wethouders and designated officials), each with ``--activities`` registered side activities
and five years of income where the office publishes it, plus ``--noise`` activities in other
organisations; then times the public page, the two CSV files, the JSON document and
``conflicted_people``, and counts their queries. Runs on a throw-away test database (SQLite by
default, PostgreSQL with DATABASE_URL).

    VIB_ENV=test .venv/bin/python bench/disclosures_bench.py [--people 500] [--activities 4]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("VIB_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vib.conf.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(people: int, activities: int, noise: int) -> object:
    from vib.disclosures.models import (
        ActivityIncome,
        ActivityStatus,
        Declarant,
        Office,
        SideActivity,
    )
    from vib.organisations.models import Organisation, Tier

    rng = random.Random(20260401)
    org = Organisation.objects.create(
        code="GM9999", name="Benchstad", tier=Tier.GEMEENTE, reference_date=date(2026, 1, 1)
    )
    other = Organisation.objects.create(
        code="GM9998", name="Ruisdorp", tier=Tier.GEMEENTE, reference_date=date(2026, 1, 1)
    )
    offices = [Office.REPRESENTATIVE, Office.EXECUTIVE_FULL_TIME, Office.DESIGNATED_OFFICIAL]
    now = timezone.now()
    declarants = Declarant.objects.bulk_create(
        Declarant(
            organisation=org,
            name=f"Persoon {i:05d}",
            office=offices[i % 3],
            function="raadslid",
            appointed_on=date(2020, 1, 1),
        )
        for i in range(people)
    )
    acts = SideActivity.objects.bulk_create(
        SideActivity(
            organisation=org,
            declarant=d,
            role="bestuurslid",
            body=f"Stichting {rng.randint(1, 5000)}",
            kvk_number=f"{rng.randint(10_000_000, 99_999_999)}",
            paid=j % 2 == 0,
            by_virtue_of_office=j == 3,
            start_date=date(2019, 1, 1),
            status=ActivityStatus.REGISTERED,
            registered_on=date(2020, 1, 2),
            declared_at=now,
        )
        for d in declarants
        for j in range(activities)
    )
    ActivityIncome.objects.bulk_create(
        ActivityIncome(activity=a, year=y, amount=Decimal(1000), declared_on=date(y + 1, 3, 1))
        for a in acts
        if a.paid and a.declarant.office != Office.DESIGNATED_OFFICIAL
        for y in range(2020, 2025)
    )
    noise_owner = Declarant.objects.create(
        organisation=other,
        name="Ruis",
        office=Office.EMPLOYEE,
        function="x",
        appointed_on=date(2020, 1, 1),
    )
    SideActivity.objects.bulk_create(
        SideActivity(
            organisation=other,
            declarant=noise_owner,
            role="lid",
            body=f"Ruis {i}",
            start_date=date(2019, 1, 1),
            status=ActivityStatus.REGISTERED,
            declared_at=now,
        )
        for i in range(noise)
    )
    return org


def timed(label: str, repeat: int, call) -> None:
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            size = call()
            times.append(time.perf_counter() - start)
    print(f"| {label} | {median(times) * 1000:.0f} ms | {len(queries)} | {size} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--activities", type=int, default=4)
    parser.add_argument("--noise", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from vib.disclosures.selectors import conflicted_people

        start = time.perf_counter()
        org = build(args.people, args.activities, args.noise)
        print(f"built in {time.perf_counter() - start:.1f} s ({connection.vendor})")
        client = Client()
        base = f"/nevenwerkzaamheden/openbaar/{org.code}"
        print("| what | median time | queries | bytes / ids |\n| --- | --- | --- | --- |")
        timed("public page (HTML)", args.repeat, lambda: len(client.get(base).content))
        timed(
            "side functions CSV",
            args.repeat,
            lambda: len(client.get(f"{base}/nevenfuncties.csv").content),
        )
        timed("income CSV", args.repeat, lambda: len(client.get(f"{base}/inkomsten.csv").content))
        timed(
            "register JSON", args.repeat, lambda: len(client.get(f"{base}/register.json").content)
        )
        bodies = [f"Stichting {i}" for i in range(1, 50)]
        timed(
            "conflicted_people (49 bodies)",
            args.repeat,
            lambda: len(
                conflicted_people(organisation=org, bodies=bodies, kvk_numbers=["12345678"])
            ),
        )
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
