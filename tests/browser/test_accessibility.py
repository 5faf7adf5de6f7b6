"""Every demo role logs in through the real form and crawls the site; axe-core must find nothing,
and no page may be wider than the screen or break a word without a hyphen at 320, 390, 768 or
1280 px (the checks of tests/browser/layout.py, run on each page as loaded, once per width).

The crawl visits the pages of the main navigation and the links on them within the site
(bounded: one page per URL pattern, so ten member pages count as one), skipping log-out,
the Django admin, the API and static files. Roles that see the same organisation and the same
navigation share one crawl; each role's own start page is always checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from tests.browser.layout import check_layout

pytestmark = pytest.mark.django_db(transaction=True)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SKIP_PREFIXES = ("/beheer", "/api/", "/uitloggen", "/i18n/", "/static/")
# Downloads (open data, exports, reports) are files, not pages to check with axe.
DOWNLOAD_SUFFIXES = (".csv", ".json", ".xlsx", ".pdf", ".parquet", ".zip", ".svg")
MAX_PAGES_PER_CRAWL = 30
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""


@dataclass
class Report:
    violations: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # who → pages checked

    def add(self, who: str, url: str, found: list[dict[str, Any]]) -> None:
        self.pages[who] = self.pages.get(who, 0) + 1
        for v in found:
            self.violations.append(
                f"[{who}] {url}: {v['id']} ({v['impact']}) {v['help']} — {', '.join(v['nodes'])}"
            )


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query)})
    return UUID.sub("{id}", parts.path) + ("?" + "&".join(keys) if keys else "")


def check(page: Any, axe_source: str, report: Report, who: str, problems: list[str]) -> None:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    report.add(who, page.url, page.evaluate(AXE_RUN, AXE_TAGS))
    # No inline style attributes anywhere (the CSP would block them anyway).
    styled = page.evaluate("() => document.querySelectorAll('[style]').length")
    if styled:
        problems.append(f"[{who}] {page.url}: {styled} element(s) with a style attribute")
    check_layout(page, who, problems)


def watch_console(page: Any, who: dict[str, str] | str, problems: list[str]) -> None:
    """Collect console errors (CSP violations, failed requests, script errors)."""

    def name() -> str:
        return who if isinstance(who, str) else who["who"]

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"[{name()}] {page.url}: console error: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"[{name()}] {page.url}: {error}"))


def site_links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav a[href]:not([download]), main a[href]:not([download])",
        "(links) => links.map((a) => a.href)",
    )
    links = []
    for href in hrefs:
        href = href.split("#")[0]
        if not href.startswith(base):
            continue
        parts = urlsplit(href)
        if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(DOWNLOAD_SUFFIXES):
            continue
        if "formaat=" in parts.query:
            continue
        links.append(href)
    return links


def crawl(
    page: Any, base: str, start: str, who: str, axe_source: str, report: Report, problems: list[str]
) -> None:
    seen = {pattern(start)}
    queue = [start]
    visited = 0
    while queue and visited < MAX_PAGES_PER_CRAWL:
        url = queue.pop(0)
        response = page.goto(url)
        visited += 1
        if response is None or response.status >= 400:
            problems.append(f"[{who}] {url}: HTTP {response.status if response else '?'}")
            continue
        check(page, axe_source, report, who, problems)
        for link in site_links(page, base):
            if pattern(link) not in seen:
                seen.add(pattern(link))
                queue.append(link)


def log_in(page: Any, base: str, email: str, password: str, check_page: Any = None) -> None:
    """The real log-in form; then, for roles that need it, the second factor (demo mode shows
    the current code on the page)."""
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/(tweede-factor.*)?$"))
    if "/tweede-factor" in page.url:
        if check_page is not None:
            check_page()
        page.locator("input[name=token]").fill(page.locator("#demo-code").inner_text())
        page.locator("input[name=token]").press("Enter")
    page.wait_for_url(f"{base}/")


def test_every_role_and_anonymous_pages_have_no_axe_violations(
    browser: Any, live_server: Any, live_demo: Any, axe_source: str
) -> None:
    base = live_server.url
    report = Report()
    problems: list[str] = []

    # Visitors who are not logged in: the log-in page (also with its error summary), the
    # public registry and the "not found" page.
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    watch_console(page, "anonymous", problems)
    crawl(page, base, f"{base}/inloggen", "anonymous", axe_source, report, problems)
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill("niemand@example.org")
    page.get_by_label("Wachtwoord").fill("fout-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector("#error-summary")
    check(page, axe_source, report, "anonymous", problems)
    response = page.goto(f"{base}/bestaat-niet")
    assert response is not None
    assert response.status == 404
    problems.remove(next(p for p in problems if "404" in p))  # the browser logs the 404 itself
    check(page, axe_source, report, "anonymous", problems)
    context.close()

    # One browser context for all roles (its cache spares re-fetching the static files);
    # clearing the cookies between roles gives each a fresh session.
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    current = {"who": "anonymous"}
    watch_console(page, current, problems)
    crawled: set[tuple[str, ...]] = set()
    people = [login for login in live_demo.logins if "@" in login.email]  # not mailbox codes
    for login in people:
        who = current["who"] = login.email.split("@")[0]
        context.clear_cookies()
        log_in(
            page,
            base,
            login.email,
            login.password,
            # The second-factor page is the same for everyone: check it once.
            None
            if report.pages.get("second factor")
            else lambda: check(page, axe_source, report, "second factor", problems),
        )
        check(page, axe_source, report, who, problems)  # the role's own start page
        menu = tuple(site_links(page, base))
        organisation = page.locator(
            ".vib-header__organisation, #vib-organisation"
        ).all_inner_texts()
        signature = (*organisation, *menu)
        if signature not in crawled:
            crawled.add(signature)
            crawl(page, base, f"{base}/", who, axe_source, report, problems)
    context.close()

    print("\naxe: pages checked per role:", report.pages)  # shown with -s / on failure
    assert len(report.pages) == len(people) + 2  # + anonymous, second factor
    assert not report.violations + problems, "\n".join(report.violations + problems)


def test_log_in_page_is_dutch_and_the_language_switch_turns_it_english(
    browser: Any, live_server: Any, live_demo: Any, settings: Any
) -> None:
    # Dutch first: even a browser that prefers English gets Dutch until the visitor switches
    # (vib.web.middleware). Until that middleware is in settings.MIDDLEWARE, Django follows
    # Accept-Language, and only a Dutch browser can show the default.
    dutch_first = "vib.web.middleware.DutchFirstLocaleMiddleware" in settings.MIDDLEWARE
    context = browser.new_context(locale="en-US" if dutch_first else "nl-NL")
    page = context.new_page()
    page.goto(f"{live_server.url}/inloggen")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Inloggen"
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    assert page.get_by_label("Password").count() == 1
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_selector("html[lang=nl]")
    context.close()


def test_registry_filters_live_with_htmx_under_the_csp(
    browser: Any, live_server: Any, live_demo: Any
) -> None:
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    problems: list[str] = []
    watch_console(page, "anonymous", problems)
    page.goto(f"{live_server.url}/organisaties")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_label("Bestuurslaag").select_option("waterschap")
    page.wait_for_url(re.compile(r"tier=waterschap"))
    page.get_by_label("Naam of code").fill("Stichtse")
    page.wait_for_url(re.compile(r"zoek=Stichtse"))
    page.wait_for_function(
        "() => document.querySelectorAll('#registry-results tbody tr').length === 1"
    )
    assert "De Stichtse Rijnlanden" in page.locator("#registry-results").inner_text()
    assert page.locator("#registry-count").inner_text().startswith("1 organisatie")
    assert page.locator("main h1").count() == 1  # only the results were swapped
    assert not problems, problems
    context.close()
