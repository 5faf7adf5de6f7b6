"""Browser tests: Playwright (Python) driving Debian's Chromium, with axe-core.

Never a downloaded browser: Chromium comes from Debian (``scripts/apt-install chromium`` when it
is missing). axe-core is vendored under ``vendor/`` (see ``vendor/VERSIONS.txt``), so these
tests need neither npm nor the network.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


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
def live_demo(transactional_db: None) -> Any:
    """The demo, built in a database the live server can see.

    A transactional test ends by emptying every table, also the roles that data migrations
    loaded; the tests therefore use ``django_db(transaction=True, serialized_rollback=True)``,
    which puts those back for the next test.
    """
    from django.core import serializers
    from django.db import transaction

    from vib.accounts.models import Role
    from vib.core.demo import build_demo

    serialized = _SERIALIZED.get("default")
    if serialized and not Role.objects.exists():
        # The serialized rollback of pytest-django cannot find its copy here: Playwright's
        # event loop makes asgiref give this thread another connection object (same database).
        # The flush re-created content types and permissions (post_migrate); restore the rest.
        with transaction.atomic():
            for obj in serializers.deserialize("json", serialized):
                if obj.object._meta.app_label not in {"contenttypes", "auth"}:
                    obj.save()
    return build_demo(scale="small")
