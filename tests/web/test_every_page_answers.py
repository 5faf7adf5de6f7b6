"""Every page a person can reach from the menu answers, on PostgreSQL as on SQLite.

The browser crawl (tests/browser/test_accessibility.py) checks what the browser shows of
every page: axe, the layout at four widths, the language. Those checks read the HTML, CSS and
scripts the server sends, which the database engine does not change, so they run on SQLite
only (ADR 0153). What the engine does change is whether the page can be made at all: a query
PostgreSQL refuses, an ordering or an aggregate that differs. This crawl makes every page on
the server, through the Django test client, as each demo person and the anonymous visitor,
the same pages the browser crawl reaches (the same links, one page per URL pattern), and
checks that each one answers. On SQLite the browser crawl makes the same pages through the
same server, so this crawl runs on the other engines (PostgreSQL).
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.crawl import (
    MAX_PAGES_PER_CRAWL,
    WHERE_THE_BROWSER_DOES_NOT_CHECK,
    groups_of,
    pattern,
    site_links,
    who,
)
from tests.conftest import SecondFactorClient

from vib.accounts.models import User

pytestmark = [pytest.mark.django_db, WHERE_THE_BROWSER_DOES_NOT_CHECK]

BASE = "http://testserver"


def crawl(client: Any, start: str, who: str, problems: list[str]) -> int:
    """Breadth first from ``start``, one page per URL pattern, at most MAX_PAGES_PER_CRAWL;
    a redirect is followed, as the browser does. Returns the number of pages made."""
    seen = {pattern(start)}
    queue = [start]
    made = 0
    while queue and made < MAX_PAGES_PER_CRAWL:
        url = queue.pop(0)
        response = client.get(url.removeprefix(BASE), follow=True)
        made += 1
        if response.status_code >= 400:
            problems.append(f"[{who}] {url}: HTTP {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        query = response.request.get("QUERY_STRING")
        final = BASE + response.request["PATH_INFO"] + (f"?{query}" if query else "")
        for link in site_links(response.content.decode(), final, BASE):
            if pattern(link) not in seen:
                seen.add(pattern(link))
                queue.append(link)
    return made


PARTS = 2


# Two parts, each an xdist group of its own, so that the workers share the crawl and it is not
# left for the end of the run (tests/conftest.py, schedule_order).
@pytest.mark.parametrize(
    "part",
    [
        pytest.param(p, marks=pytest.mark.xdist_group(f"every-page-{p}"))
        for p in range(1, 1 + PARTS)
    ],
    ids=lambda part: f"part-{part}-of-{PARTS}",
)
def test_every_page_of_every_person_and_the_anonymous_visitor_answers(demo: Any, part: int) -> None:
    """Part 1 also crawls as the anonymous visitor. Everyone's own start page is made."""
    problems: list[str] = []
    made: dict[str, int] = {}
    if part == 1:
        made["anonymous"] = crawl(SecondFactorClient(), f"{BASE}/inloggen", "anonymous", problems)
    groups = groups_of(demo.logins)
    for group in groups[part - 1 :: PARTS]:
        for n, login in enumerate(group):
            name = who(login)
            client = SecondFactorClient()
            client.force_login(User.objects.get(email=login.email))
            if n == 0:
                made[name] = crawl(client, f"{BASE}/", name, problems)
                continue
            response = client.get("/")
            if response.status_code >= 400:
                problems.append(f"[{name}] /: HTTP {response.status_code}")
            made[name] = 1

    print("\npages made per person:", made)  # shown with -s
    assert not problems, "\n".join(problems)
    # The crawl reached past the start pages: the menus lead somewhere.
    assert sum(made.values()) > 3 * len(made), made
