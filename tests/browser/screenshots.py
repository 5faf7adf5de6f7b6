"""`make screenshots`: phone (390 px) and desktop (1280 px) screenshots of each module's main
pages, for a person to review (written to var/screenshots/, not committed).

Not a test (the file name does not start with test_, so `make test` never collects it): it uses
the browser tests' fixtures to serve the small demo, logs in as one role per module and saves
every page of that role's main navigation, plus the anonymous visitor's pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.browser.test_accessibility import log_in

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"telefoon": 390, "desktop": 1280}
# One role per module (demo e-mail addresses before the @), so every module's pages are shown.
ROLES = (
    "medewerker",
    "leidinggevende",
    "integriteit",
    "secretaris",
    "compliance",
    "onderzoeker",
    "monitor",
    "steunpunt-coordinator",
    "platformbeheer",
)


def slug(who: str, url: str) -> str:
    path = urlsplit(url).path.strip("/") or "start"
    return re.sub(r"[^a-z0-9]+", "-", f"{who}-{path}".lower()).strip("-")


def shoot(page: Any, who: str, url: str) -> None:
    page.goto(url)
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=OUT / f"{slug(who, url)}-{name}.png", full_page=True)


def menu(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("nav.vib-nav a[href]", "(links) => links.map((a) => a.href)")
    return [href for href in dict.fromkeys(hrefs) if href.startswith(base)]


def test_screenshots(browser: Any, live_server: Any, live_demo: Any) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(f"{base}/inloggen")
    for url in [page.url, *menu(page, base)]:
        shoot(page, "anoniem", url)
    logins = {login.email.split("@")[0]: login for login in live_demo.logins}
    done: set[str] = set()
    for who in ROLES:
        login = logins[who]
        context.clear_cookies()
        log_in(page, base, login.email, login.password)
        for url in menu(page, base):
            if urlsplit(url).path not in done:
                done.add(urlsplit(url).path)
                shoot(page, who, url)
    context.close()
    written = sorted(OUT.glob("*.png"))
    print(f"\n{len(written)} screenshots in {OUT}")
    assert written
