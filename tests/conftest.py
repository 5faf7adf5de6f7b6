"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("VIB_ENV", "test")

import pytest
from django.db import connections, transaction
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "browser" / "vendor" / "axe.min.js"
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
        subprocess.run([str(ROOT / "scripts" / "apt-install"), "chromium"], check=True)
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed and could not be installed with apt.")
    return CHROMIUM


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


# What the data migrations loaded (roles, capabilities), serialized at database set-up.
_SERIALIZED: dict[str, str] = {}


@pytest.fixture(scope="module")
def browser(django_db_setup: None) -> Iterator[Any]:
    from django.db import connection
    from playwright.sync_api import sync_playwright

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        _SERIALIZED["default"] = contents
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


@pytest.fixture
def live_db(transactional_db: None, django_db_serialized_rollback: None) -> None:
    """A database the live server can see, with what the data migrations loaded.

    A transactional test ends by emptying every table, also the roles that data migrations
    loaded; this puts them back when a previous test emptied them.
    """
    from django.core import serializers

    from vib.accounts.models import Role

    serialized = _SERIALIZED.get("default")
    if serialized and not Role.objects.exists():
        # The serialized rollback of pytest-django cannot find its copy here: Playwright's
        # event loop makes asgiref give this thread another connection object (same database).
        # The flush re-created content types and permissions (post_migrate); restore the rest.
        with transaction.atomic():
            for obj in serializers.deserialize("json", serialized):
                if obj.object._meta.app_label not in {"contenttypes", "auth"}:
                    obj.save()


@pytest.fixture
def live_demo(live_db: None) -> Any:
    """The demo, built in a database the live server can see."""
    from vib.core.demo import build_demo

    return build_demo(scale="small")


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker):
    """The demo, built once per test module inside a transaction that is rolled back at the
    end of the module. Each test runs in a savepoint within it, so tests still cannot see
    each other's changes — but they share the cost of building the demo."""
    from vib.core.demo import build_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_demo(scale="small")
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
