"""The issue's "Done when", as a new user would do it in a real browser (Chromium).

A wethouder declares the intent to take up a side function, the registrar records it, it
appears on the municipality's public page without log-in and in the open-data CSV; a financial
interest declared by a designated official is visible to the compliance officer only. The
public pages are checked with axe-core (WCAG 2.2 AA).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.browser.axe import violations as _axe
from tests.browser.flows import confirmed, reload_makes_nothing_twice

from vib.disclosures.models import FinancialInterest, SideActivity

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


class Sessions:
    """One browser context per person, logged in once (a second-factor code is single-use)."""

    def __init__(self, browser, base: str, logins: dict[str, str]) -> None:
        self.browser, self.base, self.logins = browser, base, logins
        self.pages: dict[str, object] = {}

    def __call__(self, who: str):
        if who not in self.pages:
            context = self.browser.new_context(locale="nl-NL")
            page = context.new_page()
            page.set_default_timeout(15_000)
            if who != "anonymous":
                _login(page, self.base, self.logins, who)
            self.pages[who] = page
        return self.pages[who]


def _login(page, base: str, logins: dict[str, str], who: str) -> None:
    page.goto(f"{base}/inloggen")
    email = f"{who}@demo.vib.nl"
    page.fill("#id_username", email)
    page.fill("#id_password", logins[email])
    page.click("form[action='/inloggen'] button[type=submit]")
    page.wait_for_url(lambda url: "/inloggen" not in url)
    if "/tweede-factor" in page.url:  # roles with access to personal data: second factor
        page.locator("input[name=token]").fill(page.locator("#demo-code").inner_text())
        page.locator("input[name=token]").press("Enter")
        page.wait_for_url(lambda url: "/tweede-factor" not in url)


def test_done_when(browser, live_server, live_demo):
    ctx = live_demo
    logins = {login.email: login.password for login in ctx.logins}
    code = ctx.shared["tenants"]["a"].code
    base = live_server.url
    as_ = Sessions(browser, base, logins)
    start = (timezone.localdate() + timedelta(days=45)).isoformat()
    body = "Energiecoöperatie Zonnedak Demo"

    # 1. The wethouder declares the intention to take up a side function.
    page = as_("wethouder")
    page.goto(f"{base}/nevenwerkzaamheden/melden")
    assert _axe(page) == []
    page.fill("#id_role", "lid raad van commissarissen")
    page.fill("#id_body", body)
    page.fill("#id_kvk_number", "87654321")
    page.check("#id_intention")
    page.check("#id_paid")
    page.fill("#id_council_informed_on", timezone.localdate().isoformat())
    page.fill("#id_start_date", start)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/nevenwerkzaamheden/activiteiten/**")
    assert "gemeld, wacht op registratie" in page.content()
    confirmed(page)
    reload_makes_nothing_twice(page, SideActivity.objects.count)

    # Not public before the registrar has recorded it.
    anonymous = as_("anonymous")
    anonymous.goto(f"{base}/nevenwerkzaamheden/openbaar/{code}")
    assert body not in anonymous.content()

    # 2. The registrar finds it among the pending declarations and records it.
    page = as_("registrator")
    page.goto(f"{base}/nevenwerkzaamheden/registratie")
    assert _axe(page) == []
    page.click(f"text={body}")
    with page.expect_navigation():
        page.click("form[action$='/registreren'] button[type=submit]")
    assert "De nevenwerkzaamheid is geregistreerd." in confirmed(page)

    # 3. Without log-in: on the municipality's public page and in the open-data CSV.
    page = anonymous
    page.goto(f"{base}/nevenwerkzaamheden/openbaar")
    assert _axe(page) == []
    page.click(f"a[href='/nevenwerkzaamheden/openbaar/{code}']")
    page.wait_for_url(f"**/nevenwerkzaamheden/openbaar/{code}")
    content = page.content()
    assert body in content
    assert "Yara Portefeuille" in content
    assert _axe(page) == []
    csv_url = f"{base}/nevenwerkzaamheden/openbaar/{code}/nevenfuncties.csv"
    csv_text = page.request.get(csv_url).text()
    line = next(row for row in csv_text.splitlines() if body in row)
    assert "Yara Portefeuille" in line
    assert start in line

    # 4. A designated official declares a financial interest ...
    page = as_("medewerker")
    page.goto(f"{base}/nevenwerkzaamheden/financiele-belangen/melden")
    assert _axe(page) == []
    page.select_option("#id_kind", "real_estate")
    page.check("#id_holder_0")
    page.check("#id_occasion_1")
    page.fill("#id_counterparty", "Vastgoed Demo B.V.")
    page.fill("#id_description", "Appartement verhuurd in het centrum (browsertest).")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/financiele-belangen/**-**")
    interest_url = page.url
    confirmed(page)
    reload_makes_nothing_twice(page, FinancialInterest.objects.count)

    # ... which only the compliance officer sees (registrar, secretaris, manager: 404).
    for who in ("registrator", "secretaris", "leidinggevende", "integriteit", "anonymous"):
        page = as_(who)
        response = page.goto(interest_url)
        assert response.status == 404 or "/inloggen" in page.url, who
        assert "browsertest" not in page.content(), who
    page = as_("compliance")
    assert page.goto(interest_url).status == 200
    assert "Appartement verhuurd in het centrum (browsertest)." in page.content()
    page.goto(f"{base}/nevenwerkzaamheden/financiele-belangen")
    assert "Sanne Voorbeeld" in page.content()
