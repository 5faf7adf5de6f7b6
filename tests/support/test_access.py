"""The access matrix of the support desk: every demo person by every support object, web.

A case opens only to the team members assigned to it; the office holder sees their own
request; the office holder's own organisation — every role in it — sees nothing; every other
answer is the same 404 as for an id that does not exist.
"""

from __future__ import annotations

import re
import uuid

import pytest

from vib.access import support as access
from vib.accounts.models import User
from vib.audit.models import AuditEvent
from vib.support import codes, services
from vib.support.models import CaseMember, HelpRequest


def nonce_free(content: bytes) -> bytes:
    """The page without its per-response tokens (CSP nonce, CSRF token)."""
    content = re.sub(rb'nonce="[^"]*"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


pytestmark = pytest.mark.django_db


def test_every_person_sees_exactly_the_cases_they_work_on(sdemo, client):
    """Every person x every request through the access door; every person through the web on
    two requests (one with a team, one waiting) — each answer 200 exactly when assigned/own."""
    users = list(User.objects.filter(email__endswith="@demo.vib.nl").order_by("email"))
    requests = list(HelpRequest.objects.order_by("submitted_at"))
    assert len(users) >= 25
    assert len(requests) >= 5
    for user in users:
        cases = set(access.cases_visible_to(user).values_list("id", flat=True))
        own = set(access.own_requests_visible_to(user).values_list("id", flat=True))
        for help_request in requests:
            assigned = CaseMember.objects.filter(request=help_request, member__user=user).exists()
            assert (help_request.id in cases) == assigned, (user, help_request)
            assert (help_request.id in own) == (help_request.office_holder_id == user.pk)
    sample = [
        HelpRequest.objects.filter(case_members__role=codes.MemberRole.EXPERT).first(),
        HelpRequest.objects.filter(status=codes.Status.SUBMITTED).first(),
    ]
    for user in users:
        client.force_login(user)
        for help_request in sample:
            assigned = CaseMember.objects.filter(request=help_request, member__user=user).exists()
            case = client.get(f"/steunpunt/team/zaken/{help_request.id}")
            mine = client.get(f"/steunpunt/mijn-verzoeken/{help_request.id}")
            assert case.status_code == (200 if assigned else 404), (user, help_request)
            assert mine.status_code == (200 if help_request.office_holder_id == user.pk else 404)


def test_the_office_holders_organisation_sees_nothing(sdemo, client, people, tenants):
    """Every role in the municipality — A&G coordinator, griffier, secretaris, admin — 404."""
    help_request = HelpRequest.objects.filter(office_holder=people["burgemeester"]).first()
    for user in User.objects.filter(role_assignments__organisation=tenants["a"]).distinct():
        if user == help_request.office_holder:
            continue
        client.force_login(user)
        for url in (
            f"/steunpunt/team/zaken/{help_request.id}",
            f"/steunpunt/mijn-verzoeken/{help_request.id}",
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert not access.cases_visible_to(user).exists()
        assert not access.intake_queue_visible_to(user).exists()


def test_another_adviser_of_the_same_team_gets_404_like_a_missing_case(sdemo, client, people):
    case = HelpRequest.objects.filter(
        case_members__member__user=people["steunpunt-adviseur"]
    ).first()
    client.force_login(people["steunpunt-adviseur2"])
    forbidden = client.get(f"/steunpunt/team/zaken/{case.id}")
    missing = client.get(f"/steunpunt/team/zaken/{uuid.uuid4()}")
    malformed = client.get("/steunpunt/team/zaken/niet-een-id")
    assert forbidden.status_code == missing.status_code == malformed.status_code == 404
    assert nonce_free(forbidden.content).replace(str(case.id).encode(), b"ID") == nonce_free(
        missing.content
    ).replace(missing.wsgi_request.path.rsplit("/", 1)[1].encode(), b"ID")
    # and the coordinator who did not take it on sees no contents either
    client.force_login(people["steunpunt-coordinator"])
    assert client.get(f"/steunpunt/team/zaken/{case.id}").status_code == 404


def test_an_expert_sees_the_case_once_added_and_not_after_leaving_the_team(sdemo, client, people):
    help_request = HelpRequest.objects.filter(status=codes.Status.SUBMITTED).first()
    services.case_take_on(help_request=help_request, actor=people["steunpunt-adviseur"])
    expert = people["steunpunt-beveiliging"]
    client.force_login(expert)
    url = f"/steunpunt/team/zaken/{help_request.id}"
    assert client.get(url).status_code == 404
    member = access.experts_available_to(people["steunpunt-adviseur"]).get(user=expert)
    services.case_add_expert(
        help_request=help_request, member=member, actor=people["steunpunt-adviseur"]
    )
    assert client.get(url).status_code == 200
    member.active = False
    member.save()
    assert client.get(url).status_code == 404


def test_the_intake_queue_shows_no_free_text(sdemo, client, people):
    waiting = HelpRequest.objects.get(status=codes.Status.SUBMITTED)
    client.force_login(people["steunpunt-adviseur2"])
    page = client.get("/steunpunt/team")
    assert page.status_code == 200
    html = page.content.decode()
    assert waiting.get_theme_display() in html
    assert waiting.description not in html
    assert waiting.contact_details not in html


def test_people_outside_the_team_get_404_on_team_pages(sdemo, client, people):
    for local in ("coordinator-ag", "griffier", "sectoranalist"):
        client.force_login(people[local])
        assert client.get("/steunpunt/team").status_code == 404
    client.force_login(User.objects.get(email="platformbeheer@demo.vib.nl"))
    assert client.get("/steunpunt/team").status_code == 404
    case = HelpRequest.objects.filter(status=codes.Status.IN_PROGRESS).first()
    assert client.get(f"/steunpunt/team/zaken/{case.id}").status_code == 404


def test_reads_and_refusals_are_audited_outside_the_organisation(sdemo, client, people):
    case = HelpRequest.objects.filter(
        case_members__member__user=people["steunpunt-adviseur"]
    ).first()
    client.force_login(people["steunpunt-adviseur"])
    client.get(f"/steunpunt/team/zaken/{case.id}")
    client.force_login(people["steunpunt-adviseur2"])
    client.get(f"/steunpunt/team/zaken/{case.id}")
    events = AuditEvent.objects.filter(object_id=str(case.id), action="read")
    assert events.filter(actor_id=str(people["steunpunt-adviseur"].id), result="ok").exists()
    assert events.filter(actor_id=str(people["steunpunt-adviseur2"].id), result="denied").exists()
    assert set(events.values_list("organisation_id", flat=True)) == {""}


def test_the_team_list_has_a_fixed_number_of_queries(
    sdemo, client, people, django_assert_max_num_queries
):
    client.force_login(people["steunpunt-adviseur"])
    client.get("/steunpunt/team")
    with django_assert_max_num_queries(25):
        assert client.get("/steunpunt/team").status_code == 200
    for _ in range(5):
        services.case_take_on(
            help_request=services.help_request_submit(
                submitted_by=people["raadslid"],
                organisation=sdemo.shared["tenants"]["a"],
                function="raadslid",
                theme="online_hate",
                urgency="urgent",
                description="x",
                contact="platform",
            ),
            actor=people["steunpunt-adviseur"],
        )
    with django_assert_max_num_queries(25):
        assert client.get("/steunpunt/team").status_code == 200
