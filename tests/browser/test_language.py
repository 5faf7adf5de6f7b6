"""No English and no raw codes on Dutch pages: ``language.LanguageCheck`` looks at every page.

The accessibility crawl (test_accessibility.py) runs this check on every page it loads, for
every demo role and the anonymous visitor; loading those pages a second time only for this
check doubled the suite's longest test (ADR 0130). This module checks the pages that crawl
does not reach: the anonymous reporting pages and the intake form, and the management screens
(/beheer/) of the platform admin, crawled the same way (bounded per URL pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from .crawl import ON_SQLITE_ONLY, pattern
from .language import LanguageCheck
from .test_accessibility import log_in

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PAGES = 25


def crawl(
    page: Any,
    base: str,
    start: str,
    check: Callable[[], None],
    problems: list[str],
    who: str,
) -> int:
    """The management screens from ``start``, one page per URL pattern, at most ADMIN_PAGES."""
    seen = {pattern(start)}
    queue = [start]
    visited = 0
    while queue and visited < ADMIN_PAGES:
        url = queue.pop(0)
        response = page.goto(url)
        visited += 1
        if response is None or response.status >= 400:
            problems.append(f"[{who}] {url}: HTTP {response.status if response else '?'}")
            continue
        check()
        for link in _admin_links(page, base):
            if pattern(link) not in seen:
                seen.add(pattern(link))
                queue.append(link)
    return visited


def _admin_links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.href)")
    out = []
    for href in hrefs:
        href = href.split("#")[0]
        path = urlsplit(href).path
        if (
            href.startswith(base)
            and path.startswith("/beheer/")
            and "logout" not in path
            and not any(part in path for part in ("/delete/", "/history/", "/password/"))
        ):
            out.append(href)
    return out


def test_the_check_finds_english_and_codes_and_passes_dutch(browser: Any) -> None:
    check = LanguageCheck.build()
    page = browser.new_page()
    page.set_content(
        '<html lang="nl"><body><h1>Page not found</h1><p>Pagina niet gevonden</p>'
        "<ul><li>declared</li><li>ag_coordinator</li></ul><select><option>— Kies —</option>"
        "<option>representative</option></select><code>declared</code>"
        '<button aria-label="Send report">x</button>'
        "<p>Er is een melding gedaan over declared kosten.</p></body></html>"
    )
    found = check.check(page, "test")
    assert len(found) == 5, found
    assert any("'Page not found'" in p for p in found)
    assert any("'Send report'" in p for p in found)
    assert {"declared", "ag_coordinator", "representative"} <= {
        p.split("raw code ")[1].strip("'") for p in found if "raw code" in p
    }
    page.set_content('<html lang="en"><body><h1>Page not found</h1></body></html>')
    assert check.check(page, "test") == []  # an English page (the visitor chose English)
    page.close()


@ON_SQLITE_ONLY
def test_no_english_and_no_codes_on_the_pages_the_accessibility_crawl_skips(
    browser: Any, live_server: Any, live_demo: Any
) -> None:
    base = live_server.url
    check = LanguageCheck.build()
    problems: list[str] = []
    pages: dict[str, int] = {}

    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    current = {"who": "anonymous"}

    def check_page() -> None:
        problems.extend(check.check(page, current["who"]))

    for start in ("/integriteit/melden", "/integriteit/brievenbus"):
        response = page.goto(base + start)
        assert response is not None
        check_page()
    page.goto(f"{base}/integriteit/melden")
    with page.expect_navigation():  # the check must not read the page being left
        page.locator("main a[href*='/integriteit/melden/']").first.click()
    check_page()  # the intake form itself, with its radio groups and selects

    admin = next(login for login in live_demo.logins if login.email.startswith("platformbeheer"))
    current["who"] = admin.email.split("@")[0]
    log_in(page, base, admin.email, admin.password)
    pages["beheer"] = crawl(page, base, f"{base}/beheer/", check_page, problems, "beheer")
    context.close()

    print("\nlanguage: pages checked:", pages)  # shown with -s / on failure
    assert pages["beheer"] > 5
    assert not problems, "\n".join(sorted(set(problems)))
