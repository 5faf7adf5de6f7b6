"""Browser tests: Playwright (Python) driving Debian's Chromium, with axe-core.

Never a downloaded browser: Chromium comes from Debian, as its headless shell
(``scripts/apt-install chromium-headless-shell`` when it is missing; ADR 0151). axe-core is
vendored under ``vendor/`` (see ``vendor/VERSIONS.txt``), so these tests need neither npm nor
the network.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
