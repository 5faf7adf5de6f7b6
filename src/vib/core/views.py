"""Operational endpoints: health, readiness and the security contact."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe  # a probe asks, it never sends anything
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive (no dependencies checked)."""
    return JsonResponse({"status": "ok"})


# Once every migration this code knows is applied, it stays applied for the life of the
# process (a later release's migrations are not this code's): the plan, about 7 ms of building
# the migration graph, is made until it comes out empty, then no more.
_MIGRATIONS_APPLIED: set[str] = set()  # the database aliases found fully migrated


def _pending_migrations() -> int:
    if connection.alias in _MIGRATIONS_APPLIED:
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if not pending:
        _MIGRATIONS_APPLIED.add(connection.alias)
    return pending


@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready for traffic: the database answers, migrations are applied, the cache works."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        pending = _pending_migrations()
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not pending else f"{pending} pending"
    except Exception as exc:
        checks["database"] = type(exc).__name__
    try:
        cache.set("vib:readyz", "1", 5)
        checks["cache"] = "ok" if cache.get("vib:readyz") == "1" else "unavailable"
    except Exception as exc:
        checks["cache"] = type(exc).__name__
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116. Expires one year ahead of today, so it never goes stale."""
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0)
    base = request.build_absolute_uri("/").rstrip("/")
    lines = [
        f"Contact: mailto:{settings.SECURITY_CONTACT}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {base}/.well-known/security.txt",
        f"Policy: {settings.SECURITY_POLICY_URL}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
