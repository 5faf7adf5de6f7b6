"""Benchmarks of the integrity module (not part of the test suite).

    VIB_ENV=test .venv/bin/python bench/integrity_bench.py [--cases 20000]

Builds a throw-away SQLite database (or uses DATABASE_URL), fills it with cases, mailbox
indexes and yearly-report facts in bulk, and measures what a reporter and a handler wait for:
opening a mailbox (one indexed lookup plus one scrypt verification, whatever the number of
cases), sealing and opening text, the officer's case list (queries and time), and the yearly
report with suppression.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from benchdb import setup_django_on_sqlite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def timed(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    setup_django_on_sqlite()
    from datetime import date

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from vib.access.integrity import case_list_visible_to
    from vib.accounts.services import role_assign, user_create
    from vib.integrity import crypto, receipts, report, services
    from vib.integrity.models import Case, ReportFact, ViolationCategory
    from vib.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(
        code="GMBENCH", name="Benchgemeente", tier="gemeente", reference_date=date(2026, 1, 1)
    )
    officer = user_create(email="bench@example.nl", full_name="Bench", password="x" * 16)
    role_assign(
        user=officer, role="integrity_officer", organisation=org, valid_from=date(2020, 1, 1)
    )
    categories = list(ViolationCategory.objects.filter(typology__current=True))
    now = timezone.now()
    print(f"Filling {args.cases} cases …", flush=True)
    started = time.perf_counter()
    rows, facts = [], []
    known_code = receipts.generate()
    for number in range(args.cases):
        case = Case(
            organisation=org,
            reference=f"2026-{number:06d}",
            channel="anonymous",
            received_at=now,
            category=categories[number % len(categories)],
            mailbox_index=receipts.index(
                known_code if number == args.cases // 2 else receipts.generate()
            ),
            mailbox_hash="scrypt$16384$8$1$AAAA$AAAA",
        )
        case.summary_ct = crypto.seal(org.id, "case.summary", case.id, "Een melding " * 20)
        rows.append(case)
        facts.append(
            ReportFact(
                organisation=org,
                year=2026,
                case_type="report",
                category=categories[number % len(categories)].code,
                investigated=number % 3 == 0,
                finding="founded" if number % 5 == 0 else "",
                measures=["reprimand"] if number % 10 == 0 else [],
            )
        )
    Case.objects.bulk_create(rows, batch_size=2000)
    ReportFact.objects.bulk_create(facts, batch_size=2000)
    known = Case.objects.get(mailbox_index=receipts.index(known_code))
    Case.objects.filter(pk=known.pk).update(mailbox_hash=receipts.slow_hash(known_code))
    print(f"  filled in {time.perf_counter() - started:.1f} s")

    results = {}
    results["scrypt hash (n=2^14, r=8)"] = timed(lambda: receipts.slow_hash(known_code))
    results[f"mailbox open, right code ({args.cases} cases)"] = timed(
        lambda: services.mailbox_find(known_code)
    )
    results[f"mailbox open, wrong code ({args.cases} cases)"] = timed(
        lambda: services.mailbox_find(receipts.generate())
    )
    token = crypto.seal(org.id, "case.summary", known.pk, "x" * 2000)
    results["seal 2 kB (AES-GCM)"] = timed(
        lambda: crypto.seal(org.id, "case.summary", known.pk, "x" * 2000), repeat=200
    )
    results["open 2 kB (AES-GCM)"] = timed(
        lambda: crypto.open_text(org.id, "case.summary", known.pk, token), repeat=200
    )

    def first_page() -> int:
        return len(list(case_list_visible_to(officer, org).order_by("-received_at")[:50]))

    with CaptureQueriesContext(connection) as queries:
        first_page()
    results["case list, first page of 50"] = timed(first_page)
    results[f"yearly report ({args.cases} facts)"] = timed(
        lambda: report.build(year=2026, organisations=None, title="bench"), repeat=3
    )
    print()
    print("| measurement | median |")
    print("|---|---|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds * 1000:.2f} ms |")
    print(f"| case list queries | {len(queries)} |")


if __name__ == "__main__":
    main()
