"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("VIB_ENV", "test")
# Audit checkpoints: outside the repository; the scheduler's tests run the hourly job. Tests
# that verify against checkpoints point the setting at their own tmp_path.
os.environ.setdefault("VIB_AUDIT_CHECKPOINT_DIR", tempfile.mkdtemp(prefix="vib-audit-checkpoints-"))

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from hypothesis import settings as hypothesis_settings

# Property tests are judged by what they find, not by the time one example takes: on a shared
# two-core machine under load an example can exceed Hypothesis's default 200 ms deadline and
# fail a correct test ("DeadlineExceeded"). The number of examples stays Hypothesis's default.
hypothesis_settings.register_profile("vib", deadline=None)
hypothesis_settings.load_profile("vib")

ROOT = Path(__file__).resolve().parents[1]
# Debian's headless shell: the same Blink as its chromium package, without the desktop
# browser's processes (Playwright's own choice for headless runs). ADR 0151.
CHROMIUM = Path("/usr/lib/chromium/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _ensure_chromium() -> Path:
    if not CHROMIUM.exists():
        subprocess.run(
            [str(ROOT / "scripts" / "apt-install"), "chromium-headless-shell"], check=True
        )
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium-headless-shell is not installed and could not be installed with apt."
        )
    return CHROMIUM


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    """Every test that drives Chromium is a ``browser`` test, marked or not, so that
    ``make test-fast`` (``-m "not browser"``) really leaves the browser out.

    On an xdist worker (``--dist loadgroup``, ADR 0130) every test without an ``xdist_group``
    joins its module's group, so a module's tests share one worker and what it builds once
    (the demo, a browser), as with ``--dist loadscope``; a long test split into parts gives
    each part a group of its own. After every other hook has ordered the tests, the groups are
    put in the order in which workers should take them (``schedule_order``)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    on_worker = hasattr(config, "workerinput")
    if on_worker:
        for item in items:
            if item.get_closest_marker("xdist_group") is None:
                item.add_marker(pytest.mark.xdist_group(module_group(item)))
    result = yield
    if on_worker:
        items[:] = schedule_order(items)
    return result


def module_group(item: pytest.Item) -> str:
    """The module, as ``core/test_cells`` for tests/core/test_cells.py."""
    return item.nodeid.split("::")[0].removeprefix("tests/").removesuffix(".py")


def group_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker and marker.args else module_group(item)


def schedule_order(items: list[pytest.Item]) -> list[pytest.Item]:
    """The tests, group by group, longest work first, so that no long group is left for the
    end while the other worker idles (with ``--no-loadscope-reorder`` xdist hands out groups in
    this order): first the parts of long tests split on purpose (a group of their own), then
    the groups with browser tests, then the others, more tests first; within a group the order
    the other hooks chose (pytest-django's: transactional tests last)."""
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(group_of(item), []).append(item)

    def rank(name: str) -> tuple[int, int]:
        tests = groups[name]
        if name != module_group(tests[0]):
            return (0, 0)
        if any(item.get_closest_marker("browser") for item in tests):
            return (1, 0)
        return (2, -len(tests))

    ordered = sorted(groups, key=rank)  # stable: equal ranks keep the collection order
    return [item for name in ordered for item in groups[name]]


@pytest.fixture(scope="module")
def browser(django_db_setup: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = _ensure_chromium()
    # Playwright's sync API keeps an event loop in this thread; the ORM calls that the test
    # fixtures make here (demo data, flushing) are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(executable), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# The live server answers one request at a time, in its own thread:
# - The in-memory SQLite test database is one connection, which the server's thread shares
#   with the test's. Two threads using it at once make SQLite fail with "bad parameter or
#   other API misuse" (Django's documentation warns of this); on SQLite the server holds this
#   lock while it answers, and the test thread's queries wait for it.
# - Django's threaded server keeps a thread, and its database connection, per keep-alive
#   connection of the browser; on PostgreSQL one could still be open when the test database
#   is dropped at the end ("being accessed by other users"). The serial server answers
#   ``Connection: close`` and its one thread closes its connection after every request. (It
#   must: ``scratch_database`` copies the test database with CREATE DATABASE … TEMPLATE,
#   which PostgreSQL refuses while another session is connected to the template.)
# Chromium asks for ``/favicon.ico`` beside a JSON answer; that request would otherwise race
# the next page.
_LIVE_SERVER_BUSY = threading.RLock()


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """pytest-django's live server, serving one request at a time (see above)."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any):
            super().__init__(*args, **kwargs)

        def process_request(self, request: Any, client_address: Any) -> None:
            with _LIVE_SERVER_BUSY:
                super().process_request(request, client_address)

    def wait_for_server(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        with _LIVE_SERVER_BUSY:
            return execute(sql, params, many, context)

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.server_class = SerialWSGIServer  # type: ignore[assignment]
    shared = connection.vendor == "sqlite"  # the server thread uses the test's connection
    wrappers = connection.execute_wrappers  # this connection's list, whatever replaces it later
    if shared:
        wrappers.insert(0, wait_for_server)
    server.start()
    yield server
    server.stop()
    if wait_for_server in wrappers:
        wrappers.remove(wait_for_server)


# What the data migrations loaded (roles, capabilities, code lists), serialized once when the
# test database is set up. Transactional tests (live server, browser) end by emptying every
# table; ``_restore_migrated_data`` puts this back after them, so every test, whatever ran
# before it, starts from the migrated database. (pytest-django's ``serialized_rollback`` is
# not used: it also reloads content types, which the flush has already re-created.)
_MIGRATED: list[str] = []
_NOT_MIGRATION_DATA = {"contenttypes", "auth", "sessions", "admin"}


# A test's fixture closure holds one of these when it uses the test database.
_USES_DATABASE = {"db", "transactional_db", "live_server"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    from django.apps import apps
    from django.core import serializers

    # pytest-django makes a test database only when a collected test asks for one; a run of
    # tests without (tests/browser/test_layout_checks.py alone) would read the configured one.
    if not any(
        item.get_closest_marker("django_db") or _USES_DATABASE & set(item.fixturenames)
        for item in request.session.items
    ):
        return
    with django_db_blocker.unblock():
        _MIGRATED[:] = [
            serializers.serialize("json", model._default_manager.order_by("pk"))
            for model in apps.get_models()
            if model._meta.app_label not in _NOT_MIGRATION_DATA
            and not model._meta.proxy
            and model._default_manager.exists()
        ]


def _put_back_migrated_data() -> None:
    from django.core import serializers

    from vib.accounts.models import Role

    if Role.objects.exists():
        return
    with transaction.atomic():
        for blob in _MIGRATED:
            for obj in serializers.deserialize("json", blob):
                obj.save()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's fixtures are torn down (and the database emptied), put
    the migrated data back before the next test starts."""
    result = yield
    if nextitem is None:
        return result  # the session ends: no test needs the data, the database is gone
    if not _MIGRATED:
        return result  # no test has set up the test database yet (a skipped test)
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    transactional = {"transactional_db", "live_server", "live_db"} & names
    if transactional or (marker is not None and marker.kwargs.get("transaction")):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _put_back_migrated_data()
    return result


# Emptying the database after a transactional test: Django truncates every table, which on
# PostgreSQL costs about 20 ms per table whether it holds rows or not (95 tables: 1.7 s per
# test). Here, only the tables that hold rows are emptied, with DELETE in one transaction (the
# foreign keys are deferred); tables whose rows a trigger keeps (the audit chain, append-only)
# are truncated, which the trigger lets through in a test database (ADR 0148).
_KEEPS_ROWS = """SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger
WHERE NOT tgisinternal AND tgtype & 8 <> 0"""  # a trigger on DELETE (TRIGGER_TYPE_DELETE)


def _pg_sql_flush(original: Any) -> Any:
    def sql_flush(
        self: Any,
        style: Any,
        tables: Any,
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade or not tables:
            return original(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        quote = self.quote_name
        filled_sql = " UNION ALL ".join(
            # Table names from Django's introspection, quoted.
            f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608
            for table in tables
        )
        with self.connection.cursor() as cursor:
            cursor.execute(filled_sql, list(tables))
            filled = [row[0] for row in cursor.fetchall()]
            cursor.execute(_KEEPS_ROWS)
            keeps = {row[0] for row in cursor.fetchall()}
        statements = ["SET CONSTRAINTS ALL DEFERRED"]
        statements += [
            f"DELETE FROM {quote(table)}"  # noqa: S608
            for table in filled
            if table not in keeps
        ]
        kept = [table for table in filled if table in keeps]
        if kept:
            statements += original(self, style, kept)
        return statements

    return sql_flush


@pytest.fixture(scope="session", autouse=True)
def _flush_only_filled_tables() -> Iterator[None]:
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    DatabaseOperations.sql_flush = _pg_sql_flush(original)  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def scratch_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """(DATABASE_URL, reader) of a migrated scratch database no other test uses, for programs
    run as separate processes: the in-memory SQLite test database copied to a file with the
    online backup API, or a PostgreSQL database made from the test database as a template
    (faster than migrating another database)."""
    with django_db_blocker.unblock():
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            path = tmp_path_factory.mktemp("scratch") / "vib.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()

            def query(sql: str) -> list[tuple]:
                with sqlite3.connect(path) as conn:
                    return conn.execute(sql).fetchall()

            yield f"sqlite:///{path}", query
            return
        import psycopg

        from vib.operations.backup import _pg_params

        name = f"{settings['NAME']}_scratch_{uuid.uuid4().hex[:6]}"
        params = _pg_params(settings)
        admin = {**params, "dbname": "postgres"}
        connection.close()
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')

        def query(sql: str) -> list[tuple]:
            with psycopg.connect(**{**params, "dbname": name}) as conn:
                return conn.execute(sql).fetchall()  # type: ignore[arg-type]

        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        yield f"postgres://{user}{password}@{host}:{port}/{name}", query
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def live_db(transactional_db: None) -> None:
    """A database the live server can see, with what the data migrations loaded."""
    _put_back_migrated_data()


@pytest.fixture
def live_demo(live_db: None) -> Any:
    """The demo, committed in a database the live server can see."""
    from tests import demo_snapshot

    return demo_snapshot.demo()


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker):
    """The demo, built once per test module inside a transaction that is rolled back at the
    end of the module. Each test runs in a savepoint within it, so tests still cannot see
    each other's changes — but they share the cost of putting the demo in. The demo is built
    once per test process and restored from its rows afterwards (tests/demo_snapshot.py)."""
    from tests import demo_snapshot

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_snapshot.demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            for connection in connections.all():
                connection.close_if_unusable_or_obsolete()


@pytest.fixture
def demo(_module_demo, db):
    """The reproducible demo (small scale): tenants, a user for every role, module data.

    Model instances in it may be stale after a test changed them: refresh when it matters.
    """
    return _module_demo


@pytest.fixture(autouse=True)
def _empty_cache_per_test() -> None:
    """Every test starts with an empty cache, as with an empty database. Entries outlive a
    test's rolled-back transaction, and some are keyed by what tests reuse (the public
    register's final bytes by organisation code, ADR 0124). Only the per-process LocMem
    cache of the test settings is cleared: a shared Redis would serve other workers."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


class SecondFactorClient(Client):
    """``force_login`` gives a session whose second factor is confirmed, as after the real
    log-in with a code. The real flow (and its refusal) is tested in tests/accounts."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        from vib.accounts.oidc import SESSION_MFA

        session = self.session
        session[SESSION_MFA] = True
        session.save()


@pytest.fixture
def client():
    return SecondFactorClient()


@pytest.fixture
def admin_client(admin_user):
    client = SecondFactorClient()
    client.force_login(admin_user)
    return client
