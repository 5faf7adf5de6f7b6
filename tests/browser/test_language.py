"""No English and no raw codes on Dutch pages: every demo role (and the anonymous visitor)
crawls the site at one width, the platform admin the management screens (/beheer/) too, and
``language.LanguageCheck`` looks at every page. The crawl is the accessibility crawl's
(bounded per URL pattern); the check is a function other crawls can plug in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from .language import LanguageCheck
from .test_accessibility import log_in, pattern, site_links

pytestmark = pytest.mark.django_db(transaction=True)

MAX_PAGES = 30
ADMIN_PAGES = 25


def crawl(
    page: Any,
    base: str,
    start: str,
    check: Callable[[], None],
    problems: list[str],
    who: str,
    *,
    admin: bool = False,
) -> int:
    seen = {pattern(start)}
    queue = [start]
    visited = 0
    limit = ADMIN_PAGES if admin else MAX_PAGES
    while queue and visited < limit:
        url = queue.pop(0)
        response = page.goto(url)
        visited += 1
        if response is None or response.status >= 400:
            problems.append(f"[{who}] {url}: HTTP {response.status if response else '?'}")
            continue
        check()
        links = _admin_links(page, base) if admin else site_links(page, base)
        for link in links:
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


def test_no_english_and_no_codes_on_any_dutch_page(
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

    for start in ("/inloggen", "/integriteit/melden", "/integriteit/brievenbus", "/bestaat-niet"):
        response = page.goto(base + start)
        assert response is not None
        check_page()
    pages["anonymous"] = crawl(page, base, f"{base}/inloggen", check_page, problems, "anonymous")
    page.goto(f"{base}/integriteit/melden")
    page.locator("main a[href*='/integriteit/melden/']").first.click()
    check_page()  # the intake form itself, with its radio groups and selects

    crawled: set[tuple[str, ...]] = set()
    people = [login for login in live_demo.logins if "@" in login.email]
    for login in people:
        who = current["who"] = login.email.split("@")[0]
        context.clear_cookies()
        log_in(page, base, login.email, login.password)
        check_page()
        signature = (
            *page.locator(".vib-header__organisation, #vib-organisation").all_inner_texts(),
            *site_links(page, base),
        )
        if signature not in crawled:
            crawled.add(signature)
            pages[who] = crawl(page, base, f"{base}/", check_page, problems, who)
        if who.startswith("platformbeheer"):
            pages["beheer"] = crawl(
                page, base, f"{base}/beheer/", check_page, problems, who, admin=True
            )
    context.close()

    print("\nlanguage: pages checked:", pages)  # shown with -s / on failure
    assert pages.get("beheer", 0) > 5
    assert not problems, "\n".join(sorted(set(problems)))
