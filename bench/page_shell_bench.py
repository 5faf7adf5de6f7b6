"""Benchmark of the page shell (not part of the test suite): what every logged-in page pays
for its navigation, with capabilities read once per navigation and with one query per check,
side by side.

    VIB_ENV=test .venv/bin/python bench/page_shell_bench.py [--rounds 40]
    VIB_ENV=test .venv/bin/python bench/page_shell_bench.py --pg postgres://postgres@127.0.0.1:5432

Builds a throw-away SQLite database (or, with ``--pg``, a throw-away PostgreSQL database on that
server, dropped afterwards) with the small demo and requests the start page, the incident
list and the integrity case list through Django's whole request stack in-process
(``django.test.Client``: every middleware, the access layer, the shell's navigation, the
templates, the audit event), as the demo's A&G coordinator and integrity officer. Each round
requests every page once with the cache off (``vib.accounts.selectors.CACHE_CAPABILITIES =
False``, one query per capability check, as before) and once with it on, in alternating
order, so load on the shared machine hits both sides alike. It prints queries per page and
the median time per page, and checks that both modes render the same page.

Exits 1 if, with the cache, a page runs as many queries as without it, or the start page
more than half of them.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

from benchdb import throwaway_postgres, use_sqlite, use_test_settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# (label, demo user, URL name)
PAGES = [
    ("start page", "coordinator-ag", "web:home"),
    ("start page", "integriteit", "web:home"),
    ("incident list", "coordinator-ag", "incidents:list"),
    ("integrity case list", "integriteit", "integrity:cases"),
]

# What differs between two renderings of the same page: tokens and nonces.
_VOLATILE = re.compile(r'(csrfmiddlewaretoken" value|nonce|csrf-token" content)="[^"]*"')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--pg", help="a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if not args.pg:
        use_sqlite()
        return measure(args.rounds)
    with throwaway_postgres(args.pg, "vib_bench_shell") as url:
        os.environ["DATABASE_URL"] = url
        use_test_settings()
        return measure(args.rounds)


def measure(rounds: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from vib.accounts import selectors
    from vib.accounts.models import User
    from vib.accounts.oidc import SESSION_MFA
    from vib.core.demo import build_demo
    from vib.web.navigation import all_items

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_demo(scale="small")
    print(f"Demo built in {time.perf_counter() - started:.1f} s; {len(all_items())} nav items")

    clients: dict[str, Client] = {}
    for _label, person, _name in PAGES:
        if person not in clients:
            client = Client()
            client.force_login(User.objects.get(email=f"{person}@demo.vib.nl"))
            session = client.session
            session[SESSION_MFA] = True
            session.save()
            clients[person] = client

    def get(person: str, url: str, cached: bool) -> tuple[float, int, str]:
        selectors.CACHE_CAPABILITIES = cached
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = clients[person].get(url)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (person, url, response.status_code)
        return elapsed, len(queries), _VOLATILE.sub("", response.content.decode())

    urls = [(label, person, reverse(name)) for label, person, name in PAGES]
    for _label, person, url in urls:  # warm-up; and both modes render the same page
        _t, _q, off = get(person, url, cached=False)
        _t, _q, on = get(person, url, cached=True)
        assert off == on, f"{url} as {person} differs with the cache"

    times: dict[tuple[int, bool], list[float]] = {}
    counts: dict[tuple[int, bool], int] = {}
    for round_ in range(rounds):
        order = (False, True) if round_ % 2 == 0 else (True, False)
        for index, (_label, person, url) in enumerate(urls):
            for cached in order:
                elapsed, count, _page = get(person, url, cached)
                times.setdefault((index, cached), []).append(elapsed)
                counts[index, cached] = count
    selectors.CACHE_CAPABILITIES = True

    failed = False
    print(
        f"\n{'page':<22} {'as':<16} {'queries':>15} {'ms/page':>17} {'time ratio':>11}\n"
        f"{'':<22} {'':<16} {'before':>7} {'after':>7} {'before':>8} {'after':>8}"
    )
    for index, (label, person, _url) in enumerate(urls):
        before_q, after_q = counts[index, False], counts[index, True]
        before_t = statistics.median(times[index, False]) * 1000
        after_t = statistics.median(times[index, True]) * 1000
        print(
            f"{label:<22} {person:<16} {before_q:>7} {after_q:>7} {before_t:>8.1f} "
            f"{after_t:>8.1f} {after_t / before_t:>11.2f}"
        )
        failed |= after_q >= before_q or (label == "start page" and after_q * 2 > before_q)
    print(f"\n{rounds} rounds; database: {connection.vendor}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
