"""The issue's "Done when", as a new user would do it, in Chromium from a phone-sized window.

An employee reports an incident with a screenshot; the coordinator of the same organisation
sees it, records the first aftercare contact and an aangifte; a coordinator of another
organisation cannot find it by list, search, URL or API; the employee sees the status change
but none of the coordinator's fields. The pages on the way are checked with axe-core.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.browser.axe import violations as axe
from tests.browser.flows import confirmed, reload_makes_nothing_twice

from .conftest import PNG

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
STORY = "Na mijn bericht over de parkeervergunning kreeg ik dreigende reacties (browsertest)."


def log_in(browser: Any, base: str, demo: Any, local: str, *, phone: bool = True) -> Any:
    email = f"{local}@demo.vib.nl"
    context = browser.new_context(locale="nl-NL", **(PHONE if phone else {}))
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/inloggen")
    page.fill("#id_username", email)
    page.fill("#id_password", demo.password(email))
    page.click("form[action='/inloggen'] button[type=submit]")
    page.wait_for_url(re.compile(r"/(tweede-factor.*)?$"))
    if "/tweede-factor" in page.url:  # roles that see personal data; demo mode shows the code
        page.locator("input[name=token]").fill(page.locator("#demo-code").inner_text())
        page.locator("input[name=token]").press("Enter")
    page.wait_for_url(f"{base}/")
    return page


def test_done_when(browser: Any, live_server: Any, live_demo: Any, tmp_path: Path) -> None:
    from vib.incidents.models import AftercareStep, EvidenceFile, Incident, PoliceReport

    base = live_server.url
    screenshot = tmp_path / "Screenshot_2026-03-02.png"
    screenshot.write_bytes(PNG)

    # 1. The employee reports from a phone, starting on the start page, with a screenshot.
    employee = log_in(browser, base, live_demo, "medewerker")
    employee.click("a[href='/incidenten/melden']")
    employee.wait_for_url("**/incidenten/melden")
    assert axe(employee) == []
    assert employee.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    employee.check("input[name=types][value=bedreiging]")
    employee.check("input[name=types][value=intimidatie]")
    employee.check("input[name=severity][value=ernstig]")
    employee.check("input[name=channel][value=sociale_media]")
    employee.select_option("#id_platform", "facebook")
    employee.check("input[name=place_kind][value=online]")
    employee.fill("#id_description", STORY)
    employee.set_input_files("#id_evidence", str(screenshot))
    employee.click("main form button[type=submit]")
    employee.wait_for_url(re.compile(r"/incidenten/[0-9a-f-]{36}/gemeld$"))
    assert axe(employee) == []
    made = re.search(r"/incidenten/([0-9a-f-]{36})/gemeld$", employee.url)
    assert made is not None
    incident = Incident.objects.get(pk=made.group(1))  # (the description is sealed)
    assert incident.description == STORY
    assert incident.reference in employee.content()
    assert EvidenceFile.objects.get(incident=incident).content_type == "image/png"
    reload_makes_nothing_twice(employee, Incident.objects.count)

    # 2. The coordinator of the same municipality sees it on the start page and handles it.
    coordinator = log_in(browser, base, live_demo, "coordinator-ag", phone=False)
    coordinator.goto(f"{base}/incidenten/")
    assert axe(coordinator) == []
    assert incident.reference in coordinator.content()  # among the new reports
    coordinator.click(f"a[href='/incidenten/{incident.pk}']")  # under "new reports"
    coordinator.wait_for_url(f"{base}/incidenten/{incident.pk}")
    assert STORY in coordinator.content()
    assert axe(coordinator) == []
    download = coordinator.request.get(f"{base}/incidenten/bewijs/{incident.evidence.get().pk}")
    assert download.status == 200
    assert download.body() == PNG
    assert download.headers["content-disposition"].startswith("attachment")

    first = AftercareStep.objects.get(incident=incident, kind="eerste_contact")
    coordinator.click(f"a[href='/incidenten/{incident.pk}/nazorg/{first.pk}']")
    coordinator.wait_for_url(f"**/incidenten/{incident.pk}/nazorg/{first.pk}")
    assert axe(coordinator) == []
    coordinator.check("input[name=outcome][value=aanvaard]")
    coordinator.fill("#id_note", "Gebeld; koppelen aan bedrijfsmaatschappelijk werk (geheim)")
    coordinator.click("main form button[type=submit]")
    coordinator.wait_for_url(f"{base}/incidenten/{incident.pk}#aftercare")
    confirmed(coordinator)
    assert AftercareStep.objects.filter(incident=incident, done_at__isnull=True).count() == 2

    coordinator.click(f"a[href='/incidenten/{incident.pk}/politie/nieuw']")
    coordinator.select_option("#id_kind", "aangifte")
    coordinator.fill("#id_police_reference", "PL0900-2026-GEHEIM")
    coordinator.check("#id_filed_by_employer")
    coordinator.click("main form button[type=submit]")
    coordinator.wait_for_url(f"{base}/incidenten/{incident.pk}#police")
    confirmed(coordinator)
    reload_makes_nothing_twice(coordinator, PoliceReport.objects.count)
    police = PoliceReport.objects.get(incident=incident)
    assert (police.kind, police.vpt, police.employer_address) == ("aangifte", True, True)

    coordinator.select_option("#id_to_status", "in_behandeling")
    coordinator.fill("#id_note", "Interne afweging: dader is bekend (geheim)")
    coordinator.click("form[action$='/status'] button[type=submit]")
    coordinator.wait_for_url(f"{base}/incidenten/{incident.pk}#status")
    confirmed(coordinator)
    incident.refresh_from_db()
    assert incident.status == "in_behandeling"
    coordinator.goto(f"{base}/incidenten/overzicht")
    assert axe(coordinator) == []

    # 3. A coordinator of another organisation finds it nowhere.
    other = log_in(browser, base, live_demo, "coordinator-ag-provincie", phone=False)
    other.goto(f"{base}/incidenten/overzicht")
    assert incident.reference not in other.content()
    other.goto(f"{base}/incidenten/overzicht?zoek={incident.reference}")
    assert str(incident.pk) not in other.content()
    assert other.goto(f"{base}/incidenten/{incident.pk}").status == 404
    assert STORY not in other.content()
    api = other.request.get(f"{base}/api/v1/incidenten/{incident.pk}")
    assert api.status == 404
    listed = other.request.get(f"{base}/api/v1/incidenten?zoek={incident.reference}")
    assert listed.json()["count"] == 0
    assert other.request.get(f"{base}/incidenten/bewijs/{incident.evidence.get().pk}").status == 404

    # 4. The employee follows the status, but sees none of the coordinator's fields.
    employee.goto(f"{base}/incidenten/")
    employee.click(f"a[href='/incidenten/{incident.pk}']")  # under "your reports"
    employee.wait_for_url(f"{base}/incidenten/{incident.pk}")
    page = employee.content()
    assert "in behandeling" in page
    for secret in ("(geheim)", "PL0900-2026-GEHEIM", "Fatima Proefstra", "bedrijfsmaatschappelijk"):
        assert secret not in page, secret
    assert axe(employee) == []
    own_api = employee.request.get(f"{base}/api/v1/incidenten/{incident.pk}").json()
    assert own_api["status"] == "in_behandeling"
    assert "toelichting" not in own_api["statusgeschiedenis"][-1]
    assert employee.goto(f"{base}/incidenten/{incident.pk}/politie/nieuw").status == 404
