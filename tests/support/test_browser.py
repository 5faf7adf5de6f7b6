"""The issue's "Done when", in a real browser from a phone-sized window.

A raadslid asks for help about threats on social media; the support team's adviser takes it
on, adds a security expert, records a plan and — with the raadslid's consent — creates a
linked incident in the raadslid's municipality; the municipality's A&G coordinator sees the
incident but not the support conversation; another adviser not on the case gets 404. And the
acute-threat path shows 112 and the phone line before the form, with and without JavaScript.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.browser.flows import confirmed, reload_makes_nothing_twice

# The shared fixtures (tests/conftest.py) give the live server the demo and Debian's Chromium.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SUMMARY = "Raadslid wordt sinds een week bedreigd via sociale media."
STORY = "Op X krijg ik berichten dat ze weten waar ik woon. Mijn partner is bang."


def phone(browser: Any, base: str, email: str, password: str, *, javascript: bool = True) -> Any:
    context = browser.new_context(locale="nl-NL", java_script_enabled=javascript, **PHONE)
    page = context.new_page()
    page.goto(f"{base}/inloggen")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("form[action='/inloggen'] button[type=submit]")
    page.wait_for_url(re.compile(r"/(tweede-factor.*)?$"))
    if "/tweede-factor" in page.url:  # roles that see personal data; demo mode shows the code
        page.locator("input[name=token]").fill(page.locator("#demo-code").inner_text())
        page.locator("input[name=token]").press("Enter")
    page.wait_for_url(f"{base}/")
    return page


def login_of(demo: Any, local: str) -> tuple[str, str]:
    email = f"{local}@demo.vib.nl"
    return email, demo.password(email)


def acute_block_comes_first(page: Any) -> None:
    """112 and the team's line are on the first screen, above the form."""
    call_112 = page.locator("#acuut a[href='tel:112']")
    team_line = page.locator("#acuut a[href^='tel:0']")
    form = page.locator("form[action='/steunpunt/hulp-vragen']")
    expect(call_112).to_be_visible()
    expect(team_line).to_be_visible()
    box_112, box_line, box_form = (
        call_112.bounding_box(),
        team_line.bounding_box(),
        form.bounding_box(),
    )
    assert box_112["y"] + box_112["height"] <= PHONE["viewport"]["height"]
    assert box_line["y"] + box_line["height"] <= PHONE["viewport"]["height"]
    assert box_112["y"] < box_form["y"]
    assert box_line["y"] < box_form["y"]


def test_done_when(browser: Any, live_server: Any, live_demo: Any) -> None:
    from vib.support.models import HelpRequest, Referral

    base = live_server.url

    # 0. Without JavaScript, the ask page's first screen shows 112 and the line above the form.
    no_js = phone(browser, base, *login_of(live_demo, "raadslid"), javascript=False)
    no_js.goto(f"{base}/steunpunt/hulp-vragen")
    acute_block_comes_first(no_js)
    assert "030 000 5678" in no_js.locator("#acuut").inner_text()
    no_js.context.close()

    # 1. The raadslid asks for help from a phone; with JavaScript, the acute path comes first.
    raadslid = phone(browser, base, *login_of(live_demo, "raadslid"))
    raadslid.goto(f"{base}/")
    raadslid.click("a[href='/steunpunt/'] >> visible=true")  # the open menu's, not the hidden one
    raadslid.click("a[href='/steunpunt/hulp-vragen']")
    raadslid.wait_for_url("**/steunpunt/hulp-vragen")
    acute_block_comes_first(raadslid)
    raadslid.check("#id_theme_1")  # online hate and threats on social media
    raadslid.check("#id_urgency_1")  # urgent
    raadslid.fill("#id_description", STORY)
    assert raadslid.locator("#id_function").input_value() == "raadslid"
    raadslid.check("#id_contact_2")  # here, on the platform
    raadslid.click("form[action='/steunpunt/hulp-vragen'] button[type=submit]")
    raadslid.wait_for_url(f"{base}/steunpunt/hulp-vragen/ontvangen")
    help_request = HelpRequest.objects.get(office_holder__email="raadslid@demo.vib.nl")
    assert help_request.theme == "online_hate"
    reload_makes_nothing_twice(raadslid, HelpRequest.objects.count)

    # 2. The adviser of the regional team takes it on, adds a security expert, records a plan.
    adviser = phone(browser, base, *login_of(live_demo, "steunpunt-adviseur"))
    adviser.goto(f"{base}/steunpunt/team")
    adviser.click(f"form[action='/steunpunt/team/aanmeldingen/{help_request.id}/oppakken'] button")
    case_url = f"{base}/steunpunt/team/zaken/{help_request.id}"
    adviser.wait_for_url(case_url)
    confirmed(adviser)
    assert STORY in adviser.locator("main").inner_text()
    expert = adviser.locator("#id_member_member option", has_text="Erik Slotvast")
    adviser.select_option("#id_member_member", expert.get_attribute("value"))
    adviser.click(f"form[action='/steunpunt/team/zaken/{help_request.id}/expert'] button")
    adviser.wait_for_url(case_url)
    confirmed(adviser)
    assert "Erik Slotvast" in adviser.locator("#team + ul").inner_text()
    adviser.fill("#id_action_description", "Berichten vastleggen en aangifte voorbereiden")
    adviser.fill("#id_action_follow_up_on", (timezone.localdate() + timedelta(days=7)).isoformat())
    adviser.click(f"form[action='/steunpunt/team/zaken/{help_request.id}/actie'] button")
    adviser.wait_for_url(case_url)
    confirmed(adviser)
    assert "Berichten vastleggen" in adviser.locator("main table").first.inner_text()
    adviser.fill("#id_msg_text", "Intern: partner ook doorverwijzen naar nazorg.")
    adviser.check("#id_msg_internal")
    adviser.click(f"form[action='/steunpunt/team/zaken/{help_request.id}/bericht'] button")
    adviser.wait_for_url(case_url)
    confirmed(adviser)
    adviser.check("#id_referral_target_0")  # incident in the own organisation
    adviser.fill("#id_referral_shared_summary", SUMMARY)
    adviser.click(f"form[action='/steunpunt/team/zaken/{help_request.id}/verwijzing'] button")
    adviser.wait_for_url(case_url)
    confirmed(adviser)
    referral = Referral.objects.get(request=help_request)

    # 3. The raadslid reads exactly what will be shared and consents.
    raadslid.goto(f"{base}/steunpunt/mijn-verzoeken")
    raadslid.click(f"a[href='/steunpunt/mijn-verzoeken/{help_request.id}']")
    raadslid.wait_for_url(f"**/steunpunt/mijn-verzoeken/{help_request.id}")
    assert SUMMARY in raadslid.locator("main").inner_text()
    assert "Intern:" not in raadslid.locator("main").inner_text()
    raadslid.check(f"#id_{referral.id}_decision_0")
    raadslid.click(f"form[action='/steunpunt/toestemming/{referral.id}'] button")
    raadslid.wait_for_url(f"{base}/steunpunt/mijn-verzoeken/{help_request.id}")
    confirmed(raadslid)

    # 4. The adviser creates the linked incident in the municipality.
    adviser.goto(case_url)
    adviser.click(f"form[action='/steunpunt/team/verwijzingen/{referral.id}/aanmaken'] button")
    adviser.wait_for_url(case_url)
    confirmed(adviser)
    referral.refresh_from_db()
    assert referral.status == "created"
    assert referral.linked_object_type == "incidents.incident"

    # 5. The municipality's A&G coordinator sees the incident, not the support conversation.
    coordinator = phone(browser, base, *login_of(live_demo, "coordinator-ag"))
    response = coordinator.goto(f"{base}/incidenten/{referral.linked_object_id}")
    assert response is not None
    assert response.status == 200
    incident_page = coordinator.locator("main").inner_text()
    assert SUMMARY in incident_page
    assert STORY not in incident_page
    assert "Intern:" not in incident_page
    for url in (case_url, f"{base}/steunpunt/mijn-verzoeken/{help_request.id}"):
        response = coordinator.goto(url)
        assert response is not None
        assert response.status == 404
    response = coordinator.goto(f"{base}/steunpunt/team")
    assert response is not None
    assert response.status == 404

    # 6. Another adviser of the same team, not on the case, gets 404.
    other = phone(browser, base, *login_of(live_demo, "steunpunt-adviseur2"))
    response = other.goto(case_url)
    assert response is not None
    assert response.status == 404
    assert STORY not in other.content()

    for page in (raadslid, adviser, coordinator, other):
        page.context.close()
