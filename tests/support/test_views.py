"""The pages of the support desk: the acute path, the form, the flow, library and statistics."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from vib.support import codes
from vib.support.models import HelpRequest, Instrument, Message, PlanAction, Referral

pytestmark = pytest.mark.django_db


def positions(html: str, *needles: str) -> list[int]:
    found = [html.find(needle) for needle in needles]
    assert all(p >= 0 for p in found), list(zip(needles, found, strict=True))
    return found


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_start_page_shows_112_and_the_phone_line_first(sdemo, client, people, logged_in):
    if logged_in:
        client.force_login(people["raadslid"])
    html = client.get("/steunpunt/").content.decode()
    acute, _phone, lead = positions(html, 'href="tel:112"', "tel:", "utrecht-paragraph--lead")
    assert acute < lead
    # The regional team serves Utrecht; visitors who are not logged in get the national line.
    assert ("030 000 5678" if logged_in else "070 000 1234") in html


def test_the_ask_page_is_server_rendered_with_112_and_the_line_before_the_form(
    sdemo, client, people
):
    """No JavaScript needed: the first screen's HTML has the acute block before the <form>."""
    client.force_login(people["raadslid"])
    response = client.get("/steunpunt/hulp-vragen")
    html = response.content.decode()
    assert response.status_code == 200
    acute, line, form = positions(
        html,
        'href="tel:112"',
        'href="tel:0300005678"',
        '<form method="post" action="/steunpunt/hulp-vragen"',
    )
    assert acute < form
    assert line < form
    main = html[html.find("<main") :]
    assert main.find("112") < main.find('<form method="post" action="/steunpunt/hulp-vragen"')
    assert "<script" not in main  # nothing in the page depends on a script
    assert 'style="' not in html


def test_the_form_prefills_the_office_from_the_role(sdemo, client, people):
    client.force_login(people["raadslid"])
    html = client.get("/steunpunt/hulp-vragen").content.decode()
    assert re.search(r'<option value="raadslid" selected>', html)


def test_bad_input_shows_an_error_summary_and_writes_nothing(sdemo, client, people):
    client.force_login(people["raadslid"])
    before = HelpRequest.objects.count()
    response = client.post(
        "/steunpunt/hulp-vragen",
        {
            "theme": "nonsense",
            "urgency": "acute",
            "description": "",
            "function": "raadslid",
            "contact": "phone",
            "contact_details": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'aria-invalid="true"' in html
    assert html.find('href="tel:112"') < html.find('id="error-summary"')
    assert HelpRequest.objects.count() == before


def test_an_acute_request_repeats_112_on_the_receipt(sdemo, client, people):
    client.force_login(people["raadslid"])
    response = client.post(
        "/steunpunt/hulp-vragen",
        {
            "theme": "safety",
            "urgency": "acute",
            "description": "Er staat iemand voor de deur",
            "function": "raadslid",
            "contact": "phone",
            "contact_details": "06 1111 2222",
        },
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:112"' in html
    assert (
        html.find('href="tel:112"') < html.find("Follow your request") if "Follow" in html else True
    )


def test_a_griffier_asks_on_behalf_and_then_sees_nothing(sdemo, client, people):
    client.force_login(people["griffier"])
    form = client.get("/steunpunt/hulp-vragen").content.decode()
    assert 'name="office_holder"' in form
    response = client.post(
        "/steunpunt/hulp-vragen",
        {
            "office_holder": str(people["wethouder"].pk),
            "theme": "safety",
            "urgency": "normal",
            "description": "Namens de wethouder",
            "function": "wethouder",
            "contact": "platform",
        },
    )
    assert response.status_code == 302
    created = HelpRequest.objects.get(
        description__isnull=False,
        office_holder=people["wethouder"],
        submitted_by=people["griffier"],
    )
    assert client.get(f"/steunpunt/mijn-verzoeken/{created.id}").status_code == 404
    client.force_login(people["wethouder"])
    assert client.get(f"/steunpunt/mijn-verzoeken/{created.id}").status_code == 200


def test_the_whole_flow_through_the_pages(sdemo, client, people, monkeypatch):
    raadslid, adviser = people["raadslid"], people["steunpunt-adviseur"]
    client.force_login(raadslid)
    client.post(
        "/steunpunt/hulp-vragen",
        {
            "theme": "online_hate",
            "urgency": "urgent",
            "description": "Bedreigingen op X",
            "function": "raadslid",
            "contact": "platform",
        },
    )
    help_request = HelpRequest.objects.get(office_holder=raadslid)
    client.force_login(adviser)
    assert (
        client.post(f"/steunpunt/team/aanmeldingen/{help_request.id}/oppakken").status_code == 302
    )
    case_url = f"/steunpunt/team/zaken/{help_request.id}"
    assert "Bedreigingen op X" in client.get(case_url).content.decode()
    expert = help_request.team.members.model.objects.get(user=people["steunpunt-beveiliging"])
    assert client.post(f"{case_url}/expert", {"member": str(expert.id)}).status_code == 302
    follow_up = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert (
        client.post(
            f"{case_url}/actie", {"description": "Aangifte voorbereiden", "follow_up_on": follow_up}
        ).status_code
        == 302
    )
    bad = client.post(f"{case_url}/actie", {"description": "", "follow_up_on": "gisteren"})
    assert bad.status_code == 400
    assert PlanAction.objects.filter(request=help_request).count() == 1
    client.post(f"{case_url}/bericht", {"text": "Intern overleg", "internal": "on"})
    client.post(
        f"{case_url}/verwijzing",
        {"target": "incident", "shared_summary": "Bedreiging via sociale media"},
    )
    referral = Referral.objects.get(request=help_request)
    # the raadslid reads the text and consents; the internal note is not on their page
    client.force_login(raadslid)
    own = client.get(f"/steunpunt/mijn-verzoeken/{help_request.id}").content.decode()
    assert "Bedreiging via sociale media" in own
    assert "Intern overleg" not in own
    assert "Aangifte voorbereiden" in own
    assert (
        client.post(f"/steunpunt/toestemming/{referral.id}", {"decision": "consent"}).status_code
        == 302
    )

    from vib.support import referrals

    monkeypatch.setattr(
        referrals, "create_linked_incident", lambda **kw: referrals.Link("incidents.incident", "x1")
    )
    client.force_login(adviser)
    assert client.post(f"/steunpunt/team/verwijzingen/{referral.id}/aanmaken").status_code == 302
    referral.refresh_from_db()
    assert referral.status == codes.ReferralStatus.CREATED
    assert (
        client.post(
            f"{case_url}/maatregel", {"description": "Camera", "amount": "2600"}
        ).status_code
        == 400
    )
    assert (
        client.post(f"{case_url}/maatregel", {"description": "Camera", "amount": "900"}).status_code
        == 302
    )
    assert client.post(f"{case_url}/afsluiten", {"note": ""}).status_code == 302
    client.force_login(raadslid)
    assert (
        client.post(
            f"/steunpunt/mijn-verzoeken/{help_request.id}/beoordeling", {"score": "5"}
        ).status_code
        == 302
    )
    help_request.refresh_from_db()
    assert help_request.satisfaction == 5
    assert Message.objects.filter(request=help_request, internal=True).count() == 1


def test_the_library_searches_dutch_and_english(sdemo, client, people):
    dutch = client.get("/steunpunt/bibliotheek", {"q": "politie"}).content.decode()
    assert "Handreiking aangifte doen bij de politie" in dutch
    assert "Omgaan met online haat" not in dutch
    client.cookies["django_language"] = "en"
    english = client.get("/steunpunt/bibliotheek", {"q": "online hate"}).content.decode()
    assert "Dealing with online hate" in english
    # an instrument without English text is shown in Dutch, marked as such
    fallback = client.get("/steunpunt/bibliotheek", {"q": "partners"}).content.decode()
    assert 'lang="nl"' in fallback
    assert client.get("/steunpunt/bibliotheek", {"kind": "poem"}).status_code == 400
    htmx = client.get("/steunpunt/bibliotheek", {"q": "training"}, headers={"HX-Request": "true"})
    assert b"<html" not in htmx.content


def test_the_team_maintains_the_library(sdemo, client, people):
    client.force_login(people["raadslid"])
    assert client.get("/steunpunt/bibliotheek/nieuw").status_code == 404
    client.force_login(people["steunpunt-adviseur"])
    response = client.post(
        "/steunpunt/bibliotheek/nieuw",
        {"kind": "guide", "title_nl": "Nieuwe gids", "summary_nl": "Kort", "published": "on"},
    )
    assert response.status_code == 302
    assert Instrument.objects.filter(title_nl="Nieuwe gids").exists()
    assert client.post("/steunpunt/bibliotheek/nieuw", {"kind": "guide"}).status_code == 400


def test_statistics_suppress_small_cells_and_are_for_the_team_and_ministry(sdemo, client, people):
    client.force_login(people["steunpunt-adviseur"])
    assert client.get("/steunpunt/statistieken").status_code == 404
    client.force_login(people["coordinator-ag"])
    assert client.get("/steunpunt/statistieken").status_code == 404
    client.force_login(people["sectoranalist"])
    html = client.get("/steunpunt/statistieken").content.decode()
    assert "All teams" in html or "Alle teams" in html
    assert "&lt; 10" in html
    cells = [int(n) for n in re.findall(r'numeric">(\d+)</td>', html)]
    assert cells
    assert all(n == 0 or n >= 10 for n in cells)
    client.force_login(people["steunpunt-coordinator"])
    assert client.get("/steunpunt/statistieken").status_code == 200


def test_the_team_queue_puts_urgency_before_age(sdemo, client, people):
    asks = [("normal", "Eerst gevraagd, niet urgent"), ("acute", "Later gevraagd, acuut")]
    for urgency, text in asks:
        client.force_login(people["raadslid"])
        client.post(
            "/steunpunt/hulp-vragen",
            {
                "theme": "safety",
                "urgency": urgency,
                "description": text,
                "function": "raadslid",
                "contact": "platform",
            },
        )
    client.force_login(people["steunpunt-adviseur"])
    html = client.get("/steunpunt/team").content.decode()
    queue = html.split('data-testid="list-order"')[1].split("</table>")[0]
    acute, normal = (codes.Urgency.ACUTE.label, codes.Urgency.NORMAL.label)
    from django.utils.translation import override

    with override("nl"):
        acute, normal = str(acute), str(normal)
    assert queue.find(acute) >= 0
    assert queue.find(normal) >= 0
    # Every acute request before every routine one (the acute one here was asked later).
    assert queue.rfind(acute) < queue.find(normal)


def test_the_same_help_request_sent_twice_is_asked_once(sdemo, client, people):
    client.force_login(people["raadslid"])
    before = HelpRequest.objects.count()
    token = client.get("/steunpunt/hulp-vragen").context["form"]["once"].value()
    data = {
        "theme": "safety",
        "urgency": "normal",
        "description": "Dubbel verstuurd?",
        "function": "raadslid",
        "contact": "platform",
        "once": token,
    }
    assert client.post("/steunpunt/hulp-vragen", data).status_code == 302
    again = client.post("/steunpunt/hulp-vragen", data, follow=True)
    assert HelpRequest.objects.count() == before + 1
    assert "Deze hulpvraag was al verstuurd" in again.content.decode()
