"""The web pages: the two-minute report, the reporter's view, handling, the list with a
constant number of queries, the dashboard and the comparison."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vib.audit.models import AuditEvent
from vib.incidents.models import AftercareStep, Incident, PoliceReport, Victim

from .conftest import PNG, report

pytestmark = pytest.mark.django_db


def _report_form(**extra):
    # Yesterday: 10:15 today lies in the future until 10:15, and the form refuses that.
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "types": ["verbaal", "discriminatie"],
        "occurred_on": yesterday.isoformat(),
        "occurred_time": "10:15",
        "channel": "sociale_media",
        "platform": "instagram",
        "place_kind": "online",
        "location": "https://instagram.example/p/123",
        "severity": "ernstig",
        "description": "Haatdragende reacties onder een bericht van de gemeente.",
        "perpetrator_kind": "onbekend",
        "perpetrator_category": "onbekend",
        "victim_group": "medewerker",
    }
    data.update(extra)
    return data


def test_an_employee_reports_with_a_screenshot(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = world["a"]
    client.force_login(a.people["employee"])
    page = client.get("/incidenten/melden")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="on_behalf_of"' not in content  # no right to report for others
    assert 'type="file"' in content
    assert "multiple" in content
    screenshot = SimpleUploadedFile("IMG_0042.HEIC.png", PNG, content_type="image/png")
    response = client.post("/incidenten/melden", {**_report_form(), "evidence": [screenshot]})
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert response["Location"] == f"/incidenten/{incident.pk}/gemeld"
    assert incident.platform == "instagram"
    assert incident.reported_by == a.people["employee"]
    assert incident.evidence.count() == 1
    done = client.get(response["Location"])
    assert incident.reference in done.content.decode()


def test_the_same_report_form_sent_twice_reports_once(world, client):
    client.force_login(world["a"].people["employee"])
    token = client.get("/incidenten/melden").context["form"]["once"].value()
    data = {**_report_form(), "once": token}
    first = client.post("/incidenten/melden", data)
    assert first.status_code == 302
    # Back button and "send" again, or a double click: the same token.
    again = client.post("/incidenten/melden", data, follow=True)
    assert Incident.objects.count() == 1
    assert "This report was already sent; nothing was added." in again.content.decode()
    # Reloading the confirmation page (a GET after the redirect) makes nothing either.
    client.get(first["Location"])
    assert Incident.objects.count() == 1


def test_the_report_form_shows_problems_and_keeps_the_input(world, client):
    client.force_login(world["a"].people["employee"])
    response = client.post("/incidenten/melden", _report_form(types=[]))
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert "This field is required." in content
    assert "Haatdragende reacties" in content
    # What only the service knows comes back on the form too.
    response = client.post("/incidenten/melden", _report_form(channel="telefoon"))
    assert response.status_code == 400
    assert "A platform only goes with the channel" in response.content.decode()
    assert not Incident.objects.exists()


def test_a_manager_reports_on_behalf_of_a_colleague(world, client):
    a = world["a"]
    client.force_login(a.people["manager"])
    page = client.get("/incidenten/melden").content.decode()
    assert 'name="on_behalf_of"' in page
    assert str(a.people["employee"].pk) in page
    assert str(world["b"].people["employee"].pk) not in page
    response = client.post(
        "/incidenten/melden",
        _report_form(on_behalf_of=str(a.people["employee"].pk), channel="persoonlijk", platform=""),
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.on_behalf
    assert incident.person == a.people["employee"]
    # The colleague sees it among their own reports.
    client.force_login(a.people["employee"])
    assert incident.reference in client.get("/incidenten/").content.decode()


def test_the_reporter_sees_status_changes_but_not_the_handling(world, client):
    from vib.incidents import services

    a = world["a"]
    incident = report(a, description="Wat ik zelf schreef")
    coordinator = a.people["coordinator"]
    services.incident_transition(
        incident=incident, actor=coordinator, to_status="in_behandeling", note="Interne notitie X"
    )
    services.police_report_add(
        incident=incident,
        actor=coordinator,
        kind="aangifte",
        date=timezone.localdate(),
        police_reference="PL-GEHEIM-77",
    )
    services.witness_add(incident=incident, actor=coordinator, name="Getuige Geheim")
    step = AftercareStep.objects.get(incident=incident)
    services.aftercare_record(
        incident=incident,
        step_id=step.pk,
        actor=coordinator,
        outcome="aanvaard",
        note="Nazorgnotitie Y",
    )

    client.force_login(a.people["employee"])
    content = client.get(f"/incidenten/{incident.pk}").content.decode()
    assert "Wat ik zelf schreef" in content
    assert "being handled" in content  # the status change
    for secret in (
        "Interne notitie X",
        "PL-GEHEIM-77",
        "Getuige Geheim",
        "Nazorgnotitie Y",
        coordinator.full_name,
    ):
        assert secret not in content
    # Handling pages answer like a missing page.
    for path in ("gegevens", "slachtoffers/nieuw", "politie/nieuw", "getuigen/nieuw"):
        assert client.get(f"/incidenten/{incident.pk}/{path}").status_code == 404
    assert (
        client.post(f"/incidenten/{incident.pk}/status", {"to_status": "afgesloten"}).status_code
        == 404
    )


def test_the_coordinator_handles_an_incident_through_the_pages(world, client):
    a = world["a"]
    incident = report(a)
    client.force_login(a.people["coordinator"])
    page = client.get(f"/incidenten/{incident.pk}")
    assert page.status_code == 200
    assert "Aftercare" in page.content.decode()
    step = AftercareStep.objects.get(incident=incident)
    now = timezone.localtime()  # to the minute: never in the future
    response = client.post(
        f"/incidenten/{incident.pk}/nazorg/{step.pk}",
        {
            "outcome": "verwezen",
            "referral_to": "bedrijfsmaatschappelijk_werk",
            "done_on": now.date().isoformat(),
            "done_time": now.strftime("%H:%M"),
        },
    )
    assert response.status_code == 302
    assert AftercareStep.objects.filter(incident=incident, done_at__isnull=True).count() == 2
    response = client.post(
        f"/incidenten/{incident.pk}/politie/nieuw",
        {
            "kind": "aangifte",
            "date": now.date().isoformat(),
            "police_reference": "2025-123",
            "vpt": "on",
            "employer_address": "on",
            "filed_by_employer": "on",
            "outcome": "lopend",
        },
    )
    assert response.status_code == 302
    report_row = PoliceReport.objects.get(incident=incident)
    assert report_row.vpt
    assert report_row.employer_address
    assert report_row.filed_by_employer
    response = client.post(
        f"/incidenten/{incident.pk}/slachtoffers/nieuw",
        {
            "name": "Wethouder Demo",
            "group": "bestuurder",
            "function": "wethouder",
            "sick_leave_days": "2",
        },
    )
    assert response.status_code == 302
    assert Victim.objects.filter(incident=incident).count() == 2
    response = client.post(f"/incidenten/{incident.pk}/status", {"to_status": "in_behandeling"})
    incident.refresh_from_db()
    assert incident.status == "in_behandeling"
    bad = client.post(
        f"/incidenten/{incident.pk}/politie/nieuw",
        {"kind": "aangifte", "date": "", "outcome": "lopend"},
    )
    assert bad.status_code == 400


def test_other_organisations_and_other_roles_get_not_found(world, client):
    a, b = world["a"], world["b"]
    incident = report(a)
    for outsider in (
        b.people["coordinator"],
        b.people["employee"],
        a.people["integrity"],
        a.people["wethouder"],
        world["analyst"],
    ):
        client.force_login(outsider)
        assert client.get(f"/incidenten/{incident.pk}").status_code == 404, outsider
        assert client.get(f"/incidenten/{incident.pk}/gegevens").status_code == 404
    client.force_login(b.people["coordinator"])
    assert client.get("/incidenten/00000000-0000-0000-0000-000000000000").status_code == 404
    found = client.get(f"/incidenten/overzicht?zoek={incident.reference}").content.decode()
    assert str(incident.pk) not in found
    assert "0 incidents" in found


def test_a_unit_limited_manager_sees_only_that_unit(world, client):
    a = world["a"]
    own_unit = report(a, unit=a.units["Handhaving"])
    other_unit = report(a, unit=a.units["Publiekszaken"])
    client.force_login(a.people["unit_manager"])
    assert client.get(f"/incidenten/{own_unit.pk}").status_code == 200
    assert client.get(f"/incidenten/{other_unit.pk}").status_code == 404
    content = client.get("/incidenten/overzicht").content.decode()
    assert own_unit.reference in content
    assert other_unit.reference not in content


def test_list_filters_and_search(world, client):
    a = world["a"]
    online = report(
        a,
        channel="sociale_media",
        platform="x",
        place_kind="online",
        types=["bedreiging"],
        description="dreigtweet",
    )
    counter = report(a, types=["verbaal"], severity="minder_ernstig")
    client.force_login(a.people["coordinator"])

    def refs(query: str) -> set[str]:
        content = client.get(f"/incidenten/overzicht?{query}").content.decode()
        return {i.reference for i in (online, counter) if i.reference in content}

    assert refs("") == {online.reference, counter.reference}
    assert refs("kanaal=sociale_media") == {online.reference}
    assert refs("soort=verbaal") == {counter.reference}
    assert refs("ernst=minder_ernstig") == {counter.reference}
    assert refs("zoek=DREIGTWEET") == {online.reference}
    assert refs(f"zoek={counter.reference.lower()}") == {counter.reference}
    assert refs("nazorg=open") == {online.reference, counter.reference}
    assert refs("nazorg=overdue") == set()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert refs(f"vanaf={tomorrow}") == set()
    assert refs("status=afgesloten") == set()
    # A bad filter value is ignored, never a crash.
    assert client.get("/incidenten/overzicht?status=kapot&vanaf=gisteren").status_code == 200
    assert AuditEvent.objects.filter(action="list", object_type="incidents.incident").exists()


def test_the_htmx_list_answers_the_results_only(world, client):
    a = world["a"]
    report(a)
    client.force_login(a.people["coordinator"])
    response = client.get("/incidenten/overzicht?kanaal=persoonlijk", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert "<table" in content
    assert "HX-Request" in response["Vary"]


def _bulk(tenant, count: int) -> None:
    from vib.incidents import codes
    from vib.incidents.services import new_reference

    now = timezone.now()
    rows = [
        Incident(
            organisation=tenant.organisation,
            reference=new_reference(),
            reported_at=now,
            occurred_at=now - timedelta(hours=i),
            place_kind="balie_kantoor",
            channel="telefoon",
            types=codes.TYPE_BITS["verbaal"],
            severity="ernstig",
            unit=tenant.units["Handhaving"],
            victim_groups=1,
        )
        for i in range(count)
    ]
    Incident.objects.bulk_create(rows)
    victims = [
        Victim(incident=row, organisation=tenant.organisation, group="medewerker") for row in rows
    ]
    Victim.objects.bulk_create(victims)
    AftercareStep.objects.bulk_create(
        AftercareStep(
            incident=row,
            organisation=tenant.organisation,
            victim=victim,
            kind="eerste_contact",
            due_from=now - timedelta(days=5),
            due_at=now - timedelta(days=2),
        )
        for row, victim in zip(rows, victims, strict=True)
    )


def _queries(client, url: str, django_assert_max_num_queries) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/incidenten/overzicht?kanaal=telefoon&soort=verbaal&nazorg=overdue",
        "/incidenten/overzicht",
        "/incidenten/dashboard",
        "/incidenten/",
        "/incidenten/vergelijking",
    ],
)
def test_pages_need_a_constant_number_of_queries(
    world, client, django_assert_max_num_queries, path
):
    a = world["a"]
    client.force_login(a.people["coordinator"])
    _bulk(a, 3)
    client.get(path)  # the first request after logging in does session work once
    few = _queries(client, path, django_assert_max_num_queries)
    _bulk(a, 120)  # more rows than a page
    many = _queries(client, path, django_assert_max_num_queries)
    assert many == few, (path, few, many)
    with django_assert_max_num_queries(few):
        client.get(path)
    # And a small constant: the shell, the access scope, the page's own queries, the audit.
    assert few <= 40, few


def test_the_list_shows_fifty_rows_a_page(world, client):
    a = world["a"]
    _bulk(a, 120)
    client.force_login(a.people["coordinator"])
    first = client.get("/incidenten/overzicht").content.decode()
    assert first.count("/incidenten/")
    assert "120 incidents" in first
    assert first.count('scope="row"') == 50
    third = client.get("/incidenten/overzicht?pagina=3").content.decode()
    assert third.count('scope="row"') == 20


def test_dashboard_figures(world, client):
    a = world["a"]
    report(
        a,
        channel="sociale_media",
        platform="x",
        place_kind="online",
        types=["bedreiging", "intimidatie"],
        victim_group="bestuurder",
    )
    report(a, types=["verbaal"])
    client.force_login(a.people["secretaris"])  # statistics, no handling
    content = client.get("/incidenten/dashboard").content.decode()
    assert "Incidents per 100 staff" in content  # a key-figure tile
    assert '<p class="vib-tile__value">0.25</p>' in content
    assert "<svg" in content
    assert "<table" in content
    assert client.get("/incidenten/overzicht").status_code == 404
    client.force_login(a.people["employee"])
    assert client.get("/incidenten/dashboard").status_code == 404


def test_the_comparison_page_suppresses_small_groups(world, client):
    a = world["a"]
    report(a)
    client.force_login(a.people["coordinator"])
    content = client.get("/incidenten/vergelijking").content.decode()
    assert "too few comparable organisations" in content


def test_a_very_long_selection_is_counted_up_to_a_cap(world, client, monkeypatch):
    from vib.incidents import views

    monkeypatch.setattr(views.CappedPaginator, "cap", 5)
    a = world["a"]
    _bulk(a, 7)
    client.force_login(a.people["coordinator"])
    content = client.get("/incidenten/overzicht").content.decode()
    assert "More than 5 incidents" in content
    assert content.count('scope="row"') == 6  # pages reach up to the cap (and one more)
    assert (
        "0 incidents" in client.get("/incidenten/overzicht?kanaal=sociale_media").content.decode()
    )


def test_handlers_remove_what_was_recorded_by_mistake(world, client):
    from vib.incidents import services
    from vib.incidents.models import Measure, Witness

    a = world["a"]
    incident = report(a)
    coordinator = a.people["coordinator"]
    witness = services.witness_add(incident=incident, actor=coordinator, name="Verkeerde Getuige")
    measure = services.measure_add(
        incident=incident, actor=coordinator, kind="gesprek", decided_on=timezone.localdate()
    )
    only_victim = Victim.objects.get(incident=incident)
    client.force_login(a.people["employee"])  # the reporter may not
    assert (
        client.post(f"/incidenten/{incident.pk}/getuigen/{witness.pk}/verwijderen").status_code
        == 404
    )
    client.force_login(coordinator)
    response = client.post(f"/incidenten/{incident.pk}/getuigen/{witness.pk}/verwijderen")
    assert response["Location"].endswith("#witnesses")
    client.post(f"/incidenten/{incident.pk}/maatregelen/{measure.pk}/verwijderen")
    assert not Witness.objects.filter(pk=witness.pk).exists()
    assert not Measure.objects.filter(pk=measure.pk).exists()
    # The last victim stays; an unknown kind of thing is not found.
    client.post(f"/incidenten/{incident.pk}/slachtoffers/{only_victim.pk}/verwijderen")
    assert Victim.objects.filter(pk=only_victim.pk).exists()
    assert (
        client.post(f"/incidenten/{incident.pk}/dingen/{witness.pk}/verwijderen").status_code == 404
    )


@pytest.mark.parametrize(
    "path",
    [
        "/incidenten/dashboard?vanaf=0001-01-01&tot=9999-12-31",
        "/incidenten/vergelijking?vanaf=0001-01-01&tot=9999-12-31",
        "/incidenten/export?formaat=csv&tot=9999-12-31",
    ],
)
def test_dates_beyond_the_calendar_are_a_dutch_400_not_an_overflow(world, client, path):
    """The day after 9999-12-31 does not exist: it was an OverflowError, a 500."""
    client.force_login(world["a"].people["coordinator"])
    response = client.get(path)
    assert response.status_code == 400
    assert "Choose a date between 1900 and 2100." in response.content.decode()


def test_the_list_ignores_dates_beyond_the_calendar_and_says_so(world, client):
    client.force_login(world["a"].people["coordinator"])
    response = client.get("/incidenten/overzicht?vanaf=0001-01-01&tot=9999-12-31")
    assert response.status_code == 200  # a bad filter value is ignored, never a crash
    assert "Choose a date between 1900 and 2100." in response.content.decode()


def test_a_period_within_bounds_still_answers_200(world, client):
    client.force_login(world["a"].people["coordinator"])
    response = client.get("/incidenten/dashboard?vanaf=1900-01-01&tot=2100-12-31")
    assert response.status_code == 200
