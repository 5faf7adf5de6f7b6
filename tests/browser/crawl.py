"""What the crawls of the site share: which links on a page lead to pages to check, when two
addresses are the same page to the crawl (one URL pattern), and what decides what a person
sees. Used by the browser crawl (test_accessibility.py, on SQLite) and by the crawl on the
server (tests/web/test_every_page_answers.py, on the other engines); ADR 0153."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.db import connection

SKIP_PREFIXES = ("/beheer", "/api/", "/uitloggen", "/i18n/", "/static/")
# Downloads (open data, exports, reports) are files, not pages to check with axe.
DOWNLOAD_SUFFIXES = (".csv", ".json", ".xlsx", ".pdf", ".parquet", ".zip", ".svg")
MAX_PAGES_PER_CRAWL = 30
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# What the browser crawls check (axe, the layout at four widths, the language) reads the HTML,
# CSS and scripts the server sends, which the database engine does not change: they run once,
# on SQLite (the engine of `make run` and the first `make test` of CI). On PostgreSQL the same
# pages are made on the server and must answer (tests/web/test_every_page_answers.py).
BROWSER_CHECKS_HERE = connection.vendor == "sqlite"
ON_SQLITE_ONLY = pytest.mark.skipif(
    not BROWSER_CHECKS_HERE, reason="the browser checks of the pages run on SQLite (ADR 0153)"
)
WHERE_THE_BROWSER_DOES_NOT_CHECK = pytest.mark.skipif(
    BROWSER_CHECKS_HERE, reason="on SQLite the browser crawl makes these pages (ADR 0153)"
)


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query)})
    return UUID.sub("{id}", parts.path) + ("?" + "&".join(keys) if keys else "")


class _Links(HTMLParser):
    """The ``href`` of every link in a ``<nav>`` or ``<main>`` that is not a download."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # how many <nav> and <main> elements the parser is in
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("nav", "main"):
            self.depth += 1
        elif tag == "a" and self.depth:
            attributes = dict(attrs)
            if attributes.get("href") and "download" not in attributes:
                self.found.append(str(attributes["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("nav", "main") and self.depth:
            self.depth -= 1


def site_links(html: str, url: str, base: str) -> list[str]:
    """The links to pages of this site in the page's menus and main content, as the server
    sent the page (the shell renders on the server; htmx only swaps server HTML in)."""
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.found:
        href = urljoin(url, href).split("#")[0]
        if not href.startswith(base):
            continue
        parts = urlsplit(href)
        if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(DOWNLOAD_SUFFIXES):
            continue
        if "formaat=" in parts.query:
            continue
        links.append(href)
    return links


def who(login: Any) -> str:
    """How the crawls name a demo person in what they report: the address before the @."""
    return str(login.email.split("@")[0])


def what_they_see(login: Any) -> tuple[Any, ...]:
    """What decides a person's crawl, read on the server: their organisations, and the menu
    and start cards in each."""
    from vib.accounts.models import User
    from vib.accounts.selectors import organisations_of
    from vib.web.navigation import navigation_for, start_cards

    user = User.objects.get(email=login.email)
    seen: list[Any] = []
    for organisation in list(organisations_of(user).order_by("pk")) or [None]:
        seen.append(getattr(organisation, "pk", None))
        seen.extend(item.url_name for item in navigation_for(user, organisation))
        seen.extend(item.url_name for item in start_cards(user, organisation))
    return tuple(seen)


def groups_of(logins: list[Any]) -> list[list[Any]]:
    """The demo people (not mailbox codes), grouped by what they see (``what_they_see``), in
    the order of ``logins``: a group shares one crawl."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for login in logins:
        if "@" in login.email:  # not a mailbox code
            groups.setdefault(what_they_see(login), []).append(login)
    return list(groups.values())
