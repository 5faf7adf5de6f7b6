"""The access matrix: role x action x own/other organisation x case-team membership.

Expectations come from the rules of docs/integrity.md (need-to-know), written out here, and
a few are pinned by hand so the test cannot agree with a broken rule by construction.
"""

from __future__ import annotations

import pytest

from vib.accounts.selectors import has_capability
from vib.integrity import capabilities as caps
from vib.integrity import services
from vib.integrity.models import CaseMember

pytestmark = pytest.mark.django_db

USERS = [
    "officer_a",
    "investigator_a",
    "adviser_a",
    "secretaris_a",
    "colleague_a",
    "manager_a",
    "admin_a",
    "officer_b",
    "investigator_b",
    "adviser_b",
    "analyst",
]


def expected(user, case, *, on_team: bool, team_role: str) -> dict[str, bool]:
    org = case.organisation
    handles = has_capability(user, caps.HANDLE_CASES, org)
    return {
        "detail": on_team and team_role != "adviser" and handles,
        "api": on_team and team_role != "adviser" and handles,
        "message": on_team and team_role != "adviser" and handles,
        "list": has_capability(user, caps.VIEW_CASE_LIST, org),
        "adviser": on_team and team_role == "adviser" and has_capability(user, caps.ADVISE, org),
        "report": has_capability(user, caps.VIEW_REPORT, org),
    }


def observe(client, case, organisation_level: dict[str, bool] | None) -> dict[str, bool]:
    detail = client.get(f"/integriteit/zaken/{case.id}")
    api = client.get(f"/api/v1/integriteitszaken/{case.id}")
    adviser = client.get(f"/integriteit/advies/{case.id}")
    message = client.post(f"/integriteit/zaken/{case.id}/berichten", {"body": "Notitie"})
    for response in (detail, api, adviser, message):
        assert response.status_code in {200, 302, 404}, response.status_code
    if api.status_code == 404:
        assert api["Content-Type"] == "application/problem+json"
    if organisation_level is None:  # pages that do not depend on the case team: once a user
        listing = client.get("/integriteit/zaken")
        report = client.get("/integriteit/jaarverslag?schaal=organisatie")
        organisation_level = {
            "list": listing.status_code == 200 and str(case.reference) in listing.content.decode(),
            # The organisation report the user gets must be the case organisation's to count.
            "report": report.status_code == 200
            and case.organisation.name in report.content.decode(),
        }
    return {
        "detail": detail.status_code == 200,
        "api": api.status_code == 200,
        "message": message.status_code == 302,
        "adviser": adviser.status_code == 200,
        **organisation_level,
    }


def test_every_role_action_organisation_and_membership(world, client):
    case, _code = services.report_submit(
        organisation=world.a,
        channel="confidential",
        summary="Matrix.",
        identity=services.Identity("Melder"),
    )
    checked = 0
    table = {}
    for key in USERS:
        user = world.people[key]
        client.force_login(user)
        organisation_level = None
        for on_team in (False, True):
            CaseMember.objects.filter(case=case, user=user).delete()
            role = (
                "adviser"
                if key.startswith("adviser")
                else ("handler" if key.startswith("officer") else "investigator")
            )
            if on_team:
                # Directly, bypassing the service: the door must hold on its own.
                CaseMember.objects.create(case=case, user=user, role=role)
            seen = observe(client, case, organisation_level)
            organisation_level = {k: seen[k] for k in ("list", "report")}
            want = expected(user, case, on_team=on_team, team_role=role)
            assert seen == want, (key, on_team, seen, want)
            table[(key, on_team)] = seen
            checked += len(seen)
        client.logout()
    assert checked == len(USERS) * 2 * 6
    # Pinned by hand.
    assert table[("officer_a", True)]["detail"]
    assert not table[("officer_a", False)]["detail"]  # the officer sees the list, not the case
    assert table[("officer_a", False)]["list"]
    assert table[("investigator_a", True)]["detail"]
    assert not table[("investigator_b", True)]["detail"]  # other organisation, even on the team
    assert not table[("colleague_a", True)]["detail"]  # on the team without the capability
    assert table[("adviser_a", True)]["adviser"]
    assert not table[("adviser_a", True)]["detail"]
    assert not table[("officer_b", True)]["list"]
    assert not any(table[("analyst", t)][a] for t in (False, True) for a in table[("analyst", t)])
    assert table[("secretaris_a", False)]["report"]


def test_the_list_never_carries_identity_or_content(world, client):
    services.report_submit(
        organisation=world.a,
        channel="confidential",
        summary="Geheime inhoud",
        identity=services.Identity("Geheime Naam"),
    )
    client.force_login(world.people["officer_a"])
    page = client.get("/integriteit/zaken").content.decode()
    assert "Geheime inhoud" not in page
    assert "Geheime Naam" not in page


def test_adviser_sees_only_what_was_shared(world, client):
    case, _code = services.report_submit(
        organisation=world.a, channel="anonymous", summary="Adviseur.", wants_adviser=True
    )
    officer = world.people["officer_a"]
    services.message_add(case=case, actor=officer, body="Alleen voor het team.")
    services.message_add(case=case, actor=officer, body="Ook voor de adviseur.", to_adviser=True)
    services.mailbox_message_add(case=case, body="Van de melder, gedeeld.", to_adviser=True)
    services.mailbox_message_add(case=case, body="Van de melder, niet gedeeld.")
    client.force_login(world.people["adviser_a"])
    page = client.get(f"/integriteit/advies/{case.id}").content.decode()
    assert "Ook voor de adviseur." in page
    assert "Van de melder, gedeeld." in page
    assert "Alleen voor het team." not in page
    assert "niet gedeeld" not in page
    assert "Adviseur." not in page  # not even the report itself, unless shared


def test_named_and_conflicted_people_are_kept_off_the_team(world):
    case, _code = services.report_submit(organisation=world.a, channel="anonymous", summary="x.")
    officer = world.people["officer_a"]
    investigator = world.people["investigator_a"]
    services.exclusion_add(case=case, actor=officer, person=investigator, reason="named")
    with pytest.raises(services.ValidationError):
        services.team_add(case=case, actor=officer, member=investigator, role="investigator")
    assert not CaseMember.objects.filter(case=case, user=investigator).exists()


def test_reads_are_audited_including_refusals(world, client):
    from vib.audit.models import AuditEvent

    case, _code = services.report_submit(organisation=world.a, channel="anonymous", summary="x.")
    client.force_login(world.people["officer_a"])
    client.get(f"/integriteit/zaken/{case.id}")
    client.force_login(world.people["colleague_a"])
    client.get(f"/integriteit/zaken/{case.id}")
    events = AuditEvent.objects.filter(object_id=str(case.id), action="read")
    assert events.filter(actor_id=str(world.people["officer_a"].id), result="ok").exists()
    assert events.filter(actor_id=str(world.people["colleague_a"].id), result="denied").exists()


def test_the_handler_adds_an_investigator_through_the_page(world, client):
    case, _code = services.report_submit(organisation=world.a, channel="anonymous", summary="x.")
    investigator = world.people["investigator_a"]
    client.force_login(world.people["officer_a"])
    page = client.get(f"/integriteit/zaken/{case.id}").content.decode()
    assert investigator.full_name in page  # offered as a candidate
    assert world.people["colleague_a"].full_name not in page  # no capability: not offered
    refused = client.post(
        f"/integriteit/zaken/{case.id}/team",
        {"member": world.people["investigator_b"].id, "role": "investigator"},
    )
    assert refused.status_code == 400
    added = client.post(
        f"/integriteit/zaken/{case.id}/team", {"member": investigator.id, "role": "investigator"}
    )
    assert added.status_code == 302
    client.force_login(investigator)
    assert client.get(f"/integriteit/zaken/{case.id}").status_code == 200
