"""Benchmark of incident registration on PostgreSQL (not part of the test suite).

    .venv/bin/python bench/incidents_bench.py [--incidents 2000000] [--largest 100000]
        [--page-rounds 40] [--write-seconds 8] [--write-rounds 3] [--clients 4] [--workers 2]
        [--cpu-repeat 100] [--quick] [--keep-db]

PostgreSQL at ``--pg`` (default ``postgres://postgres@127.0.0.1:5432``, trust authentication):

1. creates a throw-away database ``vib_bench_incidents_<time>``, migrates it, loads the
   shipped registry (389 organisations) and fills ``incidents_incident`` in SQL with
   ``--incidents`` rows over five years, ``--largest`` of them in the largest organisation
   (Amsterdam, with 12 units), the rest spread over the other organisations; incidents of
   the last 90 days get a victim and a first-contact aftercare step (some overdue). Then
   ``VACUUM ANALYZE``.
2. **Pages** — the coordinator of the largest organisation, through Django's full request
   stack in this process (``django.test.Client``: every middleware, the access layer, the
   templates, the audit event): the list page (50 rows) with several filter combinations and
   the dashboard (default period, and five years), ``--page-rounds`` rounds in rotation.
   Reported: median, 95th percentile and maximum per page, and the number of SQL queries
   per page, once with 50-row pages and once with 10-row pages (the count must not grow with
   rows or page size). Target: p95 <= 150 ms.
3. **Writes** — ``--workers`` gunicorn workers (sync; default 2, one per core; persistent
   database connections, ``VIB_DEBUG=false``, the database task backend as in production)
   serve both
   ``POST /api/v1/incidenten`` (token authentication, validation, the service with its
   victim, history, aftercare deadline, audit event and notification task) and a bare Django
   view ``POST /bench/bare-insert`` that parses the same JSON and inserts one row into
   ``incidents_incident`` with ``Incident.objects.create``, behind the same middleware.
   ``--clients`` client threads post for ``--write-seconds`` per round; bare and API rounds
   alternate, ``--write-rounds`` times; the median throughputs are compared. DRF's throttle
   stays on with a rate no client reaches. Target: API >= 0.5 x bare. Also printed: the CPU
   time per call of the write path and its parts, measured in this process.

Exit status 1 when a target is missed. ``--keep-db`` keeps the database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchdb import psql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

LARGEST = "GM0363"
PAGE_TARGET_MS = 150.0
WRITE_TARGET = 0.5
PORT = 8831
THROTTLE = "1000000/second"
BODY = {
    "datumTijd": "2026-05-01T10:00:00+02:00",
    "soorten": ["verbaal", "bedreiging"],
    "kanaal": "persoonlijk",
    "plaats": "balie_kantoor",
    "ernst": "ernstig",
    "omschrijving": "Benchmark: scheldpartij aan de balie.",
}


def _environment(database_url: str) -> dict[str, str]:
    """The settings of both the measuring process and the app server (one set-up)."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "vib.conf.settings",
        "VIB_ENV": "development",  # the database task backend, as in production
        "VIB_DEBUG": "false",
        "VIB_DEMO": "false",
        "VIB_DB_CONN_MAX_AGE": "600",
        "VIB_LOG_LEVEL": "WARNING",
    }


# --- the app server's side (imported by gunicorn as ``incidents_bench:create_app()``) ----------


def create_app() -> Any:
    """The project's WSGI application plus the bare insert view, with a throttle no one hits."""
    import django

    django.setup()
    from django.http import HttpRequest, HttpResponse, JsonResponse
    from django.urls import path
    from django.utils import timezone
    from django.views.decorators.csrf import csrf_exempt
    from rest_framework.throttling import SimpleRateThrottle

    from vib.conf import urls
    from vib.conf.wsgi import application
    from vib.incidents.models import Incident
    from vib.incidents.services import new_reference

    SimpleRateThrottle.THROTTLE_RATES = {"anon": THROTTLE, "user": THROTTLE}
    organisation_id = os.environ["BENCH_ORGANISATION"]

    @csrf_exempt
    def bare_insert(request: HttpRequest) -> HttpResponse:
        body = json.loads(request.body)
        now = timezone.now()
        incident = Incident.objects.create(
            organisation_id=organisation_id,
            reference=new_reference(),
            reported_at=now,
            occurred_at=now,
            place_kind=body["plaats"],
            channel=body["kanaal"],
            types=1,
            severity=body["ernst"],
            description=body["omschrijving"],
        )
        return JsonResponse({"id": str(incident.pk)}, status=201)

    urls.urlpatterns.insert(0, path("bench/bare-insert", bare_insert))
    return application


# --- filling the database ----------------------------------------------------------------------


INCIDENTS_SQL = """
INSERT INTO incidents_incident (
    id, created_at, updated_at, organisation_id, reference, status, reported_at, on_behalf,
    occurred_at, occurred_month, place_kind, location, channel, platform, types, severity,
    description, unit_id, victim_groups, source, external_id)
SELECT gen_random_uuid(), now(), now(), %(org)s,
       'BN-' || lpad(g::text, 8, '0') || '-' || %(suffix)s,
       CASE WHEN r.age < interval '14 days' THEN (%(fresh)s::text[])[1 + floor(random() * 2)::int]
            WHEN r.age < interval '90 days' THEN (%(recent)s::text[])[1 + floor(random() * 4)::int]
            ELSE 'afgesloten' END,
       now() - r.age + interval '3 hours', false, now() - r.age,
       date_trunc('month', (now() - r.age) AT TIME ZONE 'Europe/Amsterdam')::date,
       (%(places)s::text[])[1 + floor(random() * 6)::int], '', r.channel,
       CASE WHEN r.channel = 'sociale_media'
            THEN (%(platforms)s::text[])[1 + floor(random() * 4)::int] ELSE '' END,
       (%(types)s::int[])[1 + floor(random() * 14)::int],
       (%(severities)s::text[])[1 + floor(random() * 5)::int],
       (%(stories)s::text[])[1 + floor(random() * 5)::int] || ' (' || g || ')',
       CASE WHEN %(has_units)s THEN (%(units)s::uuid[])[1 + floor(random() * 12)::int] END,
       (%(groups)s::int[])[1 + floor(random() * 6)::int],
       'bench', ''
FROM generate_series(1, %(count)s) AS g
CROSS JOIN LATERAL (
    SELECT random() * interval '1826 days' + (g * 0) * interval '1 second' AS age,
           (%(channels)s::text[])[1 + floor(random() * 10)::int + (g * 0)] AS channel
) AS r
"""
# Shaped roughly after the demo: mostly face to face and verbal, some online and threats.
VALUES = {
    "fresh": ["gemeld", "in_behandeling"],
    "recent": ["in_behandeling", "maatregelen", "nazorg", "afgesloten"],
    "places": ["balie_kantoor", "balie_kantoor", "buiten", "thuis", "online", "anders"],
    "platforms": ["x", "facebook", "instagram", "tiktok"],
    "types": [1, 1, 1, 5, 5, 4, 9, 8, 2, 33, 64, 13, 17, 1],
    "severities": ["minder_ernstig", "minder_ernstig", "ernstig", "ernstig", "zeer_ernstig"],
    "stories": [
        "Scheldpartij aan de balie over een parkeerboete",
        "Dreigende berichten na een raadsdebat",
        "Klant weigerde te vertrekken en duwde de medewerker",
        "Intimiderende telefoontjes over een uitkering",
        "Beledigende reacties onder een bericht van de gemeente",
    ],
    "groups": [1, 1, 1, 1, 2, 4],
    "channels": [
        "persoonlijk",
        "persoonlijk",
        "persoonlijk",
        "telefoon",
        "telefoon",
        "brief_email",
        "sociale_media",
        "sociale_media",
        "thuis",
        "anders",
    ],
}
# The last 90 days: a victim and the first-contact step (due 72 h after reporting).
VICTIMS_SQL = """
INSERT INTO incidents_victim (id, created_at, updated_at, incident_id, organisation_id, name,
    "group", function, injury, emotional_impact, job_satisfaction_affected,
    influence_on_decisions, behaviour_change)
SELECT gen_random_uuid(), now(), now(), i.id, i.organisation_id, %(name)s,
       CASE i.victim_groups WHEN 2 THEN 'bestuurder' WHEN 4 THEN 'volksvertegenwoordiger'
            ELSE 'medewerker' END,
       '', false, '', false, false, ''
FROM incidents_incident i WHERE i.occurred_at > now() - interval '90 days'
"""
STEPS_SQL = """
INSERT INTO incidents_aftercarestep (id, created_at, updated_at, incident_id, organisation_id,
    victim_id, kind, due_from, due_at, done_at, outcome, referral_to, note, cancel_reason)
SELECT gen_random_uuid(), now(), now(), v.incident_id, v.organisation_id, v.id,
       'eerste_contact', i.reported_at, i.reported_at + interval '72 hours',
       CASE WHEN random() < 0.8 THEN i.reported_at + interval '20 hours' END, '', '', '', ''
FROM incidents_victim v JOIN incidents_incident i ON i.id = v.incident_id
"""


def fill(n_total: int, n_largest: int, rng: random.Random) -> dict[str, Any]:
    """The registry, ``n_total`` incidents (``n_largest`` in the largest organisation), people."""
    from datetime import date

    from django.db import connection

    from vib.accounts.services import api_token_create, role_assign, user_create
    from vib.core.crypto import encrypt
    from vib.organisations.models import Organisation
    from vib.organisations.services import registry_load_shipped, unit_create

    registry_load_shipped()
    organisations = list(Organisation.objects.order_by("code"))
    largest = next(o for o in organisations if o.code == LARGEST)
    units = [unit_create(organisation=largest, name=f"Stadsdeel {i:02d}").pk for i in range(1, 13)]
    others = [o for o in organisations if o.pk != largest.pk]
    weights = [rng.paretovariate(1.2) for _ in others]
    scale = (n_total - n_largest) / sum(weights)
    counts = {
        o.pk: min(int(w * scale), n_largest - 1) for o, w in zip(others, weights, strict=True)
    }
    short = (n_total - n_largest) - sum(counts.values())
    for o in sorted(others, key=lambda o: counts[o.pk])[: max(short, 0)]:
        counts[o.pk] += 1
    counts[largest.pk] = n_largest

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for index, (organisation_id, count) in enumerate(counts.items()):
            if count > 0:
                cursor.execute(
                    INCIDENTS_SQL,
                    {
                        **VALUES,
                        "org": organisation_id,
                        "count": count,
                        "suffix": f"{index:04d}",
                        "has_units": organisation_id == largest.pk,
                        "units": units,
                    },
                )
        cursor.execute(VICTIMS_SQL, {"name": encrypt("")})
        cursor.execute(STEPS_SQL)
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    loaded = time.perf_counter() - started

    coordinator = user_create(email="coordinator@bench.example", full_name="Bench Coordinator")
    role_assign(
        user=coordinator, role="ag_coordinator", organisation=largest, valid_from=date(2000, 1, 1)
    )
    reporter = user_create(email="reporter@bench.example", full_name="Bench Reporter")
    role_assign(user=reporter, role="reporter", organisation=largest, valid_from=date(2000, 1, 1))
    _token, secret = api_token_create(
        owner=reporter, name="bench", scopes=["incidents:read", "incidents:write"]
    )
    return {"largest": largest, "coordinator": coordinator, "token": secret, "seconds": loaded}


# --- pages -------------------------------------------------------------------------------------


def measure_pages(coordinator: Any, rounds: int) -> tuple[list[dict[str, Any]], bool]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from vib.accounts.oidc import SESSION_MFA
    from vib.incidents import views

    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(coordinator)
    session = client.session
    session[SESSION_MFA] = True
    session.save()
    year_ago = (timezone.localdate() - timedelta(days=365)).isoformat()
    five_years = (timezone.localdate() - timedelta(days=5 * 365)).isoformat()
    pages = [
        ("list, no filter", "/incidenten/overzicht"),
        ("list, channel + type", "/incidenten/overzicht?kanaal=persoonlijk&soort=verbaal"),
        ("list, status + period", f"/incidenten/overzicht?status=afgesloten&vanaf={year_ago}"),
        (
            "list, severity + group, page 3",
            "/incidenten/overzicht?ernst=zeer_ernstig&groep=bestuurder&pagina=3",
        ),
        ("list, aftercare overdue", "/incidenten/overzicht?nazorg=overdue"),
        (
            "list, unit + type, page 20",
            "/incidenten/overzicht?eenheid={unit}&soort=bedreiging&pagina=20",
        ),
        ("dashboard, last 12 months", "/incidenten/dashboard"),
        (
            "dashboard, five years (info)",
            f"/incidenten/dashboard?vanaf={five_years}&tot={timezone.localdate().isoformat()}",
        ),
        ("start page, work list (info)", "/incidenten/"),
        ("search in descriptions (info)", "/incidenten/overzicht?zoek=parkeerboete"),
    ]
    from vib.organisations.models import Unit

    unit = Unit.objects.filter(organisation__code=LARGEST).order_by("name").first()
    pages = [(name, url.format(unit=unit.pk)) for name, url in pages]
    for _name, url in pages:  # warm up: the first request per page compiles templates
        assert client.get(url).status_code == 200, url
    samples: dict[str, list[float]] = {name: [] for name, _ in pages}
    queries: dict[str, int] = {}
    for _ in range(rounds):
        for name, url in pages:
            start = time.perf_counter()
            response = client.get(url)
            samples[name].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    for name, url in pages:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[name] = len(captured.captured_queries)
    # The number of queries does not grow with the page size.
    constant = True
    original = views.PAGE_SIZE
    try:
        views.PAGE_SIZE = 10
        for name, url in pages:
            if not name.startswith("list"):
                continue
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            constant &= len(captured.captured_queries) == queries[name]
    finally:
        views.PAGE_SIZE = original
    results = []
    for name, _url in pages:
        values = sorted(samples[name])
        p95 = values[max(0, round(0.95 * len(values)) - 1)]
        results.append(
            {
                "page": name,
                "median_ms": statistics.median(values),
                "p95_ms": p95,
                "max_ms": values[-1],
                "queries": queries[name],
                "target": name in TARGET_PAGES,
            }
        )
    return results, constant


# The pages the issue sets the target for: the coordinator's list with filters, the dashboard.
TARGET_PAGES = {
    "list, no filter",
    "list, channel + type",
    "list, status + period",
    "list, severity + group, page 3",
    "list, aftercare overdue",
    "list, unit + type, page 20",
    "dashboard, last 12 months",
}


# --- where the write path's time goes (this process, CPU time) --------------------------------


def cpu_breakdown(token: str, organisation_id: str, repeat: int) -> list[tuple[str, float]]:
    """CPU milliseconds per call of the write path and its parts (``time.process_time``)."""
    from django.test import Client
    from django.utils import timezone

    from vib.accounts.models import User
    from vib.accounts.services import api_token_check
    from vib.audit.services import audit_record
    from vib.incidents import services
    from vib.incidents.models import Incident

    os.environ["BENCH_ORGANISATION"] = organisation_id
    create_app()
    client = Client()
    body = json.dumps(BODY)
    reporter = User.objects.get(email="reporter@bench.example")
    incident = Incident.objects.filter(organisation_id=organisation_id).first()

    def post_report(payload: str, expected: int) -> None:
        response = client.post(
            "/api/v1/incidenten",
            payload,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == expected, response.content

    def api() -> None:
        post_report(body, 201)

    def bare() -> None:
        response = client.post("/bench/bare-insert", body, content_type="application/json")
        assert response.status_code == 201, response.content

    refused = json.dumps({**BODY, "soorten": []})

    def floor() -> None:
        """Everything of a report but the service: token, DRF, validation, a problem answer."""
        post_report(refused, 400)

    def report() -> None:
        services.incident_report(
            actor=reporter,
            organisation=None,
            facts=services.ReportFacts(
                occurred_at=timezone.now(),
                types=["verbaal"],
                channel="persoonlijk",
                severity="ernstig",
                place_kind="balie_kantoor",
                description="Benchmark",
            ),
        )

    def audit() -> None:
        audit_record(actor=reporter, action="create", obj=incident)

    parts = [
        ("bare view, whole request", bare),
        ("API report, whole request", api),
        ("  API report refused by validation", floor),
        ("  token authentication", lambda: api_token_check(token)),
        ("  service incident_report", report),
        ("    of which one audit event", audit),
    ]
    results = []
    for name, call in parts:
        for _ in range(5):
            call()
        started = time.process_time()
        for _ in range(repeat):
            call()
        results.append((name, (time.process_time() - started) * 1000 / repeat))
    return results


# --- writes ------------------------------------------------------------------------------------


def _post_loop(
    path: str, body: bytes, headers: dict[str, str], stop: threading.Event, out: list[int]
) -> None:
    done = errors = 0
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 201:
                done += 1
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            connection.close()
    out.extend([done, errors])


def _round(
    path: str, body: bytes, headers: dict[str, str], clients: int, seconds: float
) -> tuple[float, int]:
    stop = threading.Event()
    outs: list[list[int]] = [[] for _ in range(clients)]
    threads = [
        threading.Thread(target=_post_loop, args=(path, body, headers, stop, outs[i]))
        for i in range(clients)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return sum(o[0] for o in outs) / elapsed, sum(o[1] for o in outs)


def measure_writes(
    env: dict[str, str], token: str, clients: int, workers: int, seconds: float, rounds: int
) -> dict[str, Any]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "incidents_bench:create_app()",
            "--pythonpath",
            str(Path(__file__).resolve().parent),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the app server did not start") from None
                time.sleep(0.3)
        body = json.dumps(BODY).encode()
        json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
        api_headers = {**json_headers, "Authorization": f"Bearer {token}"}
        # Warm up both (every worker: connections, templates, imports).
        _round("/bench/bare-insert", body, json_headers, clients, 2)
        _round("/api/v1/incidenten", body, api_headers, clients, 2)
        bare, api, errors = [], [], 0
        for _ in range(rounds):
            rate, failed = _round("/bench/bare-insert", body, json_headers, clients, seconds)
            bare.append(rate)
            errors += failed
            rate, failed = _round("/api/v1/incidenten", body, api_headers, clients, seconds)
            api.append(rate)
            errors += failed
        one_bare, _ = _round("/bench/bare-insert", body, json_headers, 1, seconds / 2)
        one_api, _ = _round("/api/v1/incidenten", body, api_headers, 1, seconds / 2)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    return {
        "bare": statistics.median(bare),
        "api": statistics.median(api),
        "ratio": statistics.median(a / b for a, b in zip(api, bare, strict=True)),
        "rounds_bare": bare,
        "rounds_api": api,
        "errors": errors,
        "sequential_bare": one_bare,
        "sequential_api": one_api,
    }


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--incidents", type=int, default=2_000_000)
    parser.add_argument("--largest", type=int, default=100_000)
    parser.add_argument("--page-rounds", type=int, default=40)
    parser.add_argument("--write-seconds", type=float, default=8.0)
    parser.add_argument("--write-rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (sync)")
    parser.add_argument("--cpu-repeat", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="200,000 incidents, short rounds")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.incidents, args.largest = 200_000, 20_000
        args.page_rounds, args.write_seconds, args.write_rounds = 10, 3.0, 2
        args.cpu_repeat = 20

    name = f"vib_bench_incidents_{int(time.time())}"
    psql(args.pg, f"CREATE DATABASE {name}")
    env = {**os.environ, **_environment(f"{args.pg}/{name}")}
    os.environ.update(env)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        data = fill(args.incidents, args.largest, random.Random(2026))
        print(
            f"filled {args.incidents:,} incidents ({args.largest:,} in {LARGEST}) "
            f"in {data['seconds']:.0f} s",
            flush=True,
        )
        pages, constant = measure_pages(data["coordinator"], args.page_rounds)
        organisation_id = str(data["largest"].pk)
        breakdown = cpu_breakdown(data["token"], organisation_id, args.cpu_repeat)
        env["BENCH_ORGANISATION"] = organisation_id
        from django.db import connections

        connections.close_all()
        writes = measure_writes(
            env, data["token"], args.clients, args.workers, args.write_seconds, args.write_rounds
        )
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - best effort before dropping the database
            pass
        if not args.keep_db:
            psql(args.pg, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return report(args, pages, constant, breakdown, writes)


def report(
    args: argparse.Namespace,
    pages: list[dict[str, Any]],
    constant: bool,
    breakdown: list[tuple[str, float]],
    writes: dict[str, Any],
) -> int:
    ok = True
    print(f"\nPostgreSQL, {args.incidents:,} incidents, {args.largest:,} in {LARGEST}")
    print(
        f"{'page':<34} {'median':>8} {'p95':>8} {'max':>8} {'queries':>8}  "
        f"target p95 <= {PAGE_TARGET_MS:.0f} ms"
    )
    for row in pages:
        met = row["p95_ms"] <= PAGE_TARGET_MS
        if row["target"]:
            ok &= met
        verdict = ("ok" if met else "MISSED") if row["target"] else "(info)"
        print(
            f"{row['page']:<34} {row['median_ms']:7.1f}  {row['p95_ms']:7.1f}  "
            f"{row['max_ms']:7.1f}  {row['queries']:7d}  {verdict}"
        )
    print(f"queries constant with page size 10 instead of 50: {'yes' if constant else 'NO'}")
    ok &= constant
    print("\nCPU per call, in this process (ms):")
    for name, ms in breakdown:
        print(f"  {name:<34} {ms:6.2f}")
    rounds_bare = ", ".join(f"{r:.0f}" for r in writes["rounds_bare"])
    rounds_api = ", ".join(f"{r:.0f}" for r in writes["rounds_api"])
    print(
        f"\nwrites, {args.clients} clients, {args.workers} gunicorn workers, "
        f"{args.write_rounds} x {args.write_seconds:.0f} s per side (interleaved), "
        f"errors: {writes['errors']}"
    )
    print(f"  bare Django view, one INSERT : {writes['bare']:7.1f} /s  (rounds {rounds_bare})")
    print(f"  POST /api/v1/incidenten      : {writes['api']:7.1f} /s  (rounds {rounds_api})")
    print(
        f"  one client, sequential       : bare {writes['sequential_bare']:.1f} /s, "
        f"API {writes['sequential_api']:.1f} /s"
    )
    met = writes["ratio"] >= WRITE_TARGET and writes["errors"] == 0
    ok &= met
    print(
        f"  API / bare (median of rounds): {writes['ratio']:.2f}  target >= {WRITE_TARGET}  "
        f"{'ok' if met else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
