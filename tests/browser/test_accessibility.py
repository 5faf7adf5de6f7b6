"""Every demo role logs in through the real form and crawls the site. On every page it loads:

- at 1280 px (the width the page is loaded at): axe-core (WCAG 2.2 A and AA) must find nothing
  (once per structure of a page, ``structure.py``: the same template with other data gives axe
  the same), no element may carry a style attribute, and no English or raw code may show on a
  Dutch page (``language.LanguageCheck``; test_language.py covers the pages this crawl does
  not reach);
- at 320, 390, 768 and 1280 px: the layout checks of tests/browser/layout.py (wider than the
  screen, a word broken without a hyphen, a table title twice, a number not right-aligned, a
  drop-down list without an arrow, a label beside its field).
  Axe's rules read the document, not the layout, except colour contrast, which the one
  stylesheet gives at every width; what changes with the width is what these checks measure.

The crawl visits the pages of the main navigation and the links on them within the site
(bounded: one page per URL pattern, so ten member pages count as one), skipping log-out,
the Django admin, the API and static files. People who see the same organisation, navigation
and start cards (``crawl.groups_of``) share one crawl, and their shell is checked on the start
page of the first of them; the start page of each of the others must answer. A page whose
content (title and ``<main>``) was already checked, in this part or another, is not loaded
again; the crawl reads a page's links from the HTML the server sent (ADR 0146, 0150, 0154).

The crawl is split into ``PEOPLE_PARTS`` parts, each its own xdist group, so that the workers
share it (ADR 0130): people who see the same share a part, and so still share one crawl.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.browser import axe
from tests.browser.crawl import (
    MAX_PAGES_PER_CRAWL,
    ON_SQLITE_ONLY,
    groups_of,
    pattern,
    site_links,
    who,
)
from tests.browser.flows import sign_in
from tests.browser.language import LanguageCheck
from tests.browser.layout import check_layout
from tests.browser.structure import CONTENT, structure_of

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE_PARTS = 4

# What makes two pages the same to every check: the title and the main content as the server
# sent them (``structure.CONTENT``), without what differs per response: a form's CSRF token and
# its submit-once token (vib.web.once), a script's nonce, the passkey settings' CSRF token.
PER_RESPONSE = re.compile(
    r'(name="(?:csrfmiddlewaretoken|once)" value="|nonce="|"csrfToken": ")[^"]*"'
)


def content_of(html: str) -> str:
    kept = "".join(match.group(0) for match in CONTENT.finditer(html)) or html
    return hashlib.sha256(PER_RESPONSE.sub(r'\1"', kept).encode()).hexdigest()


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


class Claims:
    """The contents checked in this run, shared by the crawl's parts on every worker: one empty
    file per content in a directory all workers see. A part claims a content before it checks
    it; a content another part has claimed is checked there, not here (ADR 0150)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def claim(self, content: str) -> bool:
        try:
            os.close(os.open(self.directory / content, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True


@dataclass
class Checks:
    """What the crawl checks on a page (see the module's docstring).

    A page whose content (``content_of``) was already checked, in another person's shell or
    at another address, in this part or in another (``claims``), is not loaded in the browser
    nor checked again: every check would find the same, since only the shell around it
    differs, and each group's shell is checked on its start page (``always``). A new content
    whose structure (``structure_of``) axe has already read gets every check but axe.
    ADR 0146, 0150, 0154."""

    claims: Claims
    report: Report = field(default_factory=Report)
    problems: list[str] = field(default_factory=list)
    language: LanguageCheck | None = None
    same_content: int = 0
    same_structure: int = 0

    def visit(self, page: Any, base: str, url: str, who: str, *, always: bool = False) -> list[str]:
        """Check the page at ``url`` unless its content was checked before; its links."""
        if not always:
            answer = page.request.get(url)  # the person's cookies; the server only
            if answer.ok:
                html = answer.text()
                if not self.claims.claim(content_of(html)):
                    self.same_content += 1
                    return site_links(html, answer.url, base)
        response = page.goto(url)
        if response is None or response.status >= 400:
            self.problems.append(f"[{who}] {url}: HTTP {response.status if response else '?'}")
            return []
        html = response.text()
        if always:
            self.claims.claim(content_of(html))
        new_structure = self.claims.claim("structure-" + structure_of(html))
        if not (always or new_structure):
            self.same_structure += 1
        self(page, who, with_axe=always or new_structure)
        return site_links(html, response.url, base)

    def __call__(self, page: Any, who: str, *, with_axe: bool = True) -> None:
        self.report.add(who, page.url, axe.found(page) if with_axe else [])
        # No inline style attributes anywhere (the CSP would block them anyway).
        styled = page.evaluate("() => document.querySelectorAll('[style]').length")
        if styled:
            self.problems.append(f"[{who}] {page.url}: {styled} element(s) with a style attribute")
        if self.language is not None:
            self.problems.extend(self.language.check(page, who))
        check_layout(page, who, self.problems)


def watch_console(page: Any, who: dict[str, str] | str, problems: list[str]) -> None:
    """Collect console errors (CSP violations, failed requests, script errors)."""

    def name() -> str:
        return who if isinstance(who, str) else who["who"]

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"[{name()}] {page.url}: console error: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"[{name()}] {page.url}: {error}"))


def crawl(page: Any, base: str, start: str, who: str, checks: Checks) -> None:
    seen = {pattern(start)}
    queue = [start]
    visited = 0
    while queue and visited < MAX_PAGES_PER_CRAWL:
        visited += 1
        for link in checks.visit(page, base, queue.pop(0), who):
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


def people_part(logins: list[Any], part: int) -> list[list[Any]]:
    """The groups of demo people (not mailbox codes) of one part. People who see the same (the
    same organisations, menu and start cards) share one crawl, so a group goes to one part;
    the groups are dealt out over the parts in turn, after the anonymous visitor in part 1."""
    units: list[list[Any]] = [[], *groups_of(logins)]  # [] for the anonymous visitor
    return [unit for i, unit in enumerate(units) if i % PEOPLE_PARTS == part - 1 and unit]


def crawl_anonymous(browser: Any, base: str, checks: Checks) -> None:
    """Visitors who are not logged in: the log-in page (also with its error summary), the
    public registry and the "not found" page."""
    context = axe.browser_context(browser, locale="nl-NL")
    page = context.new_page()
    watch_console(page, "anonymous", checks.problems)
    crawl(page, base, f"{base}/inloggen", "anonymous", checks)
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill("niemand@example.org")
    page.get_by_label("Wachtwoord").fill("fout-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector("#error-summary")
    checks(page, "anonymous")
    response = page.goto(f"{base}/bestaat-niet")
    assert response is not None
    assert response.status == 404
    # The browser logs the 404 itself.
    checks.problems.remove(next(p for p in checks.problems if "404" in p))
    checks(page, "anonymous")
    context.close()


def crawl_people(browser: Any, base: str, groups: list[list[Any]], checks: Checks) -> None:
    # One browser context for all roles (its cache spares re-fetching the static files);
    # clearing the cookies between roles gives each a fresh session.
    context = axe.browser_context(browser, locale="nl-NL")
    page = context.new_page()
    current = {"who": "anonymous"}
    watch_console(page, current, checks.problems)
    crawled: set[tuple[str, ...]] = set()
    for first, *others in groups:
        # The others see the shell of the first (ADR 0154): their start page must answer.
        for login in others:
            context.clear_cookies()
            sign_in(context, base, login.email)
            answer = page.request.get(f"{base}/")
            if not answer.ok:
                checks.problems.append(f"[{who(login)}] /: HTTP {answer.status}")
        name = current["who"] = who(first)
        context.clear_cookies()
        if checks.report.pages.get("second factor"):
            # The log-in form and the second-factor page are the same for everyone; once
            # they are checked in this part, a session is enough.
            sign_in(context, base, first.email)
        else:
            log_in(page, base, first.email, first.password, lambda: checks(page, "second factor"))
        # The group's start page, in its shell.
        menu = tuple(checks.visit(page, base, f"{base}/", name, always=True))
        organisation = page.locator(
            ".vib-header__organisation, #vib-organisation"
        ).all_inner_texts()
        signature = (*organisation, *menu)
        if signature not in crawled:
            crawled.add(signature)
            crawl(page, base, f"{base}/", name, checks)
    context.close()


@pytest.fixture(scope="session")
def claims(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Claims:
    """One directory for the run: each xdist worker's temporary directory is a child of it."""
    run = tmp_path_factory.getbasetemp()
    directory = (run if worker_id == "master" else run.parent) / "crawl-contents"
    directory.mkdir(exist_ok=True)
    return Claims(directory)


@pytest.mark.parametrize(
    "part",
    [
        pytest.param(part, marks=pytest.mark.xdist_group(f"axe-crawl-{part}"))
        for part in range(1, PEOPLE_PARTS + 1)
    ],
    ids=lambda part: f"part-{part}-of-{PEOPLE_PARTS}",
)
@ON_SQLITE_ONLY
def test_every_role_and_anonymous_pages_have_no_axe_violations(
    browser: Any, live_server: Any, live_demo: Any, claims: Claims, part: int
) -> None:
    """Part 1 also crawls as the anonymous visitor."""
    checks = Checks(claims, language=LanguageCheck.build())
    groups = people_part(live_demo.logins, part)
    # Together the parts are every demo person, each once.
    everyone = [login for login in live_demo.logins if "@" in login.email]
    every_part = [people_part(live_demo.logins, p) for p in range(1, PEOPLE_PARTS + 1)]
    assert sorted(login.email for p in every_part for g in p for login in g) == sorted(
        login.email for login in everyone
    )
    expected = {who(first) for first, *_ in groups}
    if part == 1:
        crawl_anonymous(browser, live_server.url, checks)
        expected.add("anonymous")
    crawl_people(browser, live_server.url, groups, checks)

    # Shown with -s and on failure.
    print(
        "\npages checked per role:",
        checks.report.pages,
        "same content:",
        checks.same_content,
        "same structure (no axe):",
        checks.same_structure,
    )
    assert expected <= set(checks.report.pages)
    assert set(checks.report.pages) - expected <= {"second factor"}
    found = checks.report.violations + checks.problems
    assert not found, "\n".join(found)


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
