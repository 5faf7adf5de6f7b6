"""Benchmarks of the support desk (not part of the test suite).

    VIB_ENV=test .venv/bin/python bench/support_bench.py [--requests 20000] [--facts 200000]

Builds a throw-away SQLite database (or uses DATABASE_URL), fills it in bulk with requests
spread over many advisers and with pseudonymised facts, and measures what the team waits for:
an adviser's case list (queries and time, through the access door), opening one case, the
intake queue, an allowance approval (the locked yearly row) and the statistics with
suppression over all facts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from benchdb import setup_django_on_sqlite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--facts", type=int, default=200_000)
    parser.add_argument("--advisers", type=int, default=40)
    args = parser.parse_args()
    setup_django_on_sqlite()
    from datetime import date

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from vib.access import support as access
    from vib.accounts.services import role_assign, user_create
    from vib.organisations.models import Organisation, Tier
    from vib.support import codes, selectors, services
    from vib.support.models import CaseMember, HelpRequest, RequestFact

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    province = Organisation.objects.create(
        code="PV98", name="Bench-provincie", tier=Tier.PROVINCIE, reference_date=date(2025, 1, 1)
    )
    municipality = Organisation.objects.create(
        code="GM9997",
        name="Benchdorp",
        tier=Tier.GEMEENTE,
        province=province,
        reference_date=date(2025, 1, 1),
    )
    team = services.team_create(
        name="Bench", scope=codes.Scope.REGIONAL, phone="030 000 0000", region=province
    )
    holder = user_create(email="holder@bench.example", full_name="Holder")
    role_assign(user=holder, role="reporter", organisation=municipality, function="raadslid")
    members = []
    for i in range(args.advisers):
        user = user_create(email=f"adviser{i}@bench.example", full_name=f"Adviser {i}")
        members.append(services.team_member_add(team=team, person=user, role="adviser"))

    # Requests in bulk (the encrypted fields go through the field's own encryption).
    now = timezone.now()
    start = time.perf_counter()
    batch = [
        HelpRequest(
            organisation=municipality,
            team=team,
            office_holder=holder,
            submitted_by=holder,
            function="raadslid",
            theme=rng.choice(codes.Theme.values),
            urgency=rng.choice(codes.Urgency.values),
            description="Bench " * 40,
            contact="platform",
            status=codes.Status.IN_PROGRESS,
            submitted_at=now,
        )
        for _ in range(args.requests)
    ]
    HelpRequest.objects.bulk_create(batch, batch_size=2000)
    CaseMember.objects.bulk_create(
        [
            CaseMember(request=r, member=members[i % len(members)], role="adviser", added_at=now)
            for i, r in enumerate(batch)
        ],
        batch_size=2000,
    )
    RequestFact.objects.bulk_create(
        [
            RequestFact(
                team=team,
                month=date(2025, rng.randint(1, 12), 1),
                tier=rng.choice(Tier.values),
                function=rng.choice(codes.Function.values),
                theme=rng.choice(codes.Theme.values),
                urgency=rng.choice(codes.Urgency.values),
                hours_to_first_contact=rng.uniform(0.1, 72),
            )
            for _ in range(args.facts)
        ],
        batch_size=5000,
    )
    fill = time.perf_counter() - start
    adviser = members[0].user
    own = access.cases_visible_to(adviser)
    case_id = own.values_list("id", flat=True).first()

    def case_list() -> None:
        list(own.defer("description", "contact_details").order_by("-submitted_at")[:50])

    with CaptureQueriesContext(connection) as queries:
        case_list()
    rows = [
        (f"fill {args.requests:,} requests + {args.facts:,} facts", fill, ""),
        (
            f"adviser's case list, first 50 of {own.count():,} (access door)",
            timed(case_list),
            f"{len(queries)} queries",
        ),
        (
            "open one case (audited read)",
            timed(lambda: access.access_case(user=adviser, id=case_id)),
            "",
        ),
        (
            "intake queue (empty: all taken on)",
            timed(lambda: list(access.intake_queue_visible_to(adviser)[:50])),
            "",
        ),
    ]
    help_request = HelpRequest.objects.get(pk=case_id)
    rows.append(
        (
            "approve an allowance measure (locked yearly row)",
            timed(
                lambda: services.measure_approve(
                    help_request=help_request, actor=adviser, description="x", amount="1.00"
                )
            ),
            "",
        )
    )
    rows.append(
        (
            f"statistics with suppression, {args.facts:,} facts",
            timed(selectors.support_statistics, 3),
            "",
        )
    )
    print("| measurement | median | note |\n|---|---|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds * 1000:.1f} ms | {note} |")


if __name__ == "__main__":
    main()
