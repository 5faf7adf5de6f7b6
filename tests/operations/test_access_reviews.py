"""Access reviews (BIO): who holds which role where, and the yearly review."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from vib.accounts.models import RoleAssignment
from vib.accounts.selectors import has_capability
from vib.accounts.services import role_assign, user_create
from vib.audit.models import Action, AuditEvent
from vib.core.errors import ValidationError
from vib.operations import services
from vib.operations.models import AccessReview, Decision, ReviewStatus
from vib.operations.navigation import NAV_ITEMS

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _start(people, orgs):
    return services.access_review_start(actor=people.admin, organisation=orgs[0], year=YEAR)


def test_a_review_lists_every_current_role_of_the_organisation_only(people, orgs):
    north, _ = orgs
    ended = user_create(email="oud@noord.example", full_name="Oud Lid", password="x" * 20)
    old = role_assign(user=ended, role="hr", organisation=north)
    RoleAssignment.objects.filter(pk=old.pk).update(
        valid_until=timezone.localdate() - timedelta(days=3)
    )
    review = _start(people, orgs)
    held = sorted((i.user.email, i.role_id) for i in review.items.all())
    assert held == [
        ("beheer@noord.example", "org_admin"),
        ("mede@noord.example", "hr"),
        ("mede@noord.example", "reporter"),
    ]
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(review.pk)).exists()


def test_one_review_per_year_and_only_by_an_organisation_admin(people, orgs):
    _start(people, orgs)
    with pytest.raises(ValidationError):
        _start(people, orgs)
    with pytest.raises(PermissionDenied):
        services.access_review_start(actor=people.clerk, organisation=orgs[0], year=YEAR + 1)
    with pytest.raises(PermissionDenied):
        services.access_review_start(actor=people.other, organisation=orgs[0], year=YEAR + 1)


def test_completing_revokes_the_roles_marked_revoke(people, orgs):
    north, _ = orgs
    review = _start(people, orgs)
    items = {(i.user_id, i.role_id): str(i.id) for i in review.items.all()}
    hr = items[(people.clerk.pk, "hr")]
    decisions = dict.fromkeys(items.values(), Decision.KEEP.value)
    decisions[hr] = Decision.REVOKE.value
    del decisions[items[(people.admin.pk, "org_admin")]]
    services.access_review_decide(actor=people.admin, review=review, decisions=decisions)
    with pytest.raises(ValidationError):  # one role still undecided
        services.access_review_complete(actor=people.admin, review=review)
    services.access_review_decide(
        actor=people.admin,
        review=review,
        decisions={items[(people.admin.pk, "org_admin")]: Decision.KEEP.value},
    )
    assert services.access_review_complete(actor=people.admin, review=review) == 1
    assignment = RoleAssignment.objects.get(user=people.clerk, role="hr")
    assert assignment.valid_until == timezone.localdate() - timedelta(days=1)
    assert not has_capability(people.clerk, "organisation.view_members", north)
    assert RoleAssignment.objects.get(user=people.clerk, role="reporter").valid_until is None
    review.refresh_from_db()
    assert review.status == ReviewStatus.COMPLETED
    assert review.completed_by == people.admin
    revoked = AuditEvent.objects.get(object_type="accounts.roleassignment", action=Action.UPDATE)
    assert revoked.object_id == str(assignment.pk)
    assert "revoked" in revoked.reason
    with pytest.raises(ValidationError):  # a completed review is closed
        services.access_review_decide(actor=people.admin, review=review, decisions={hr: "keep"})


def test_a_decision_must_be_keep_or_revoke(people, orgs):
    review = _start(people, orgs)
    item = str(review.items.first().id)
    with pytest.raises(ValidationError):
        services.access_review_decide(actor=people.admin, review=review, decisions={item: "x"})


# --- web pages -------------------------------------------------------------------------------


def test_the_admin_reviews_through_the_pages(client, people, orgs, ops_urls):
    client.force_login(people.admin)
    page = client.get("/beheer-toegang/")
    assert page.status_code == 200
    assert b"utrecht-heading-1" in page.content
    assert b"style=" not in page.content
    started = client.post("/beheer-toegang/beoordelingen/nieuw", {"year": YEAR})
    review = AccessReview.objects.get()
    assert started["Location"] == f"/beheer-toegang/beoordelingen/{review.id}"
    detail = client.get(started["Location"])
    assert detail.status_code == 200
    assert "Mo Medewerker" in detail.content.decode()
    form = {f"decision-{i.id}": "keep" for i in review.items.all()}
    form[f"decision-{review.items.get(role='hr').id}"] = "revoke"
    done = client.post(started["Location"], {**form, "action": "complete"})
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.COMPLETED
    assert RoleAssignment.objects.get(user=people.clerk, role="hr").valid_until is not None


def test_others_cannot_see_or_change_a_review(client, people, orgs, ops_urls):
    review = _start(people, orgs)
    for user in (people.other, people.clerk):
        client.force_login(user)
        assert client.get(f"/beheer-toegang/beoordelingen/{review.id}").status_code == 404
        assert client.post(f"/beheer-toegang/beoordelingen/{review.id}", {}).status_code == 404
    client.force_login(people.clerk)
    assert client.get("/beheer-toegang/").status_code == 404
    assert client.get("/beheer-toegang/rollen.csv").status_code == 404


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_export_holds_the_own_organisation_for_an_admin_and_all_for_staff(
    client, people, orgs, ops_urls
):
    role_assign(
        user=people.clerk, role="reporter", organisation=orgs[1], function="=cmd|' /C calc'!A0"
    )
    client.force_login(people.admin)
    response = client.get("/beheer-toegang/rollen.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert {r["organisation_code"] for r in rows} == {"GM9901"}
    assert len(rows) == 3
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="accounts.roleassignment")
    client.force_login(people.staff)
    rows = _csv(client.get("/beheer-toegang/rollen.csv"))
    assert {r["organisation_code"] for r in rows} == {"GM9901", "GM9902"}
    # A cell a spreadsheet would run as a formula is defused.
    assert "'=cmd|' /C calc'!A0" in {r["function"] for r in rows}


def test_the_menu_item_is_for_organisation_admins(people, orgs, ops_urls):
    item = NAV_ITEMS[0]
    assert item.visible(people.admin, orgs[0])
    assert not item.visible(people.clerk, orgs[0])
    assert not item.visible(people.admin, orgs[1])
    assert item.url == "/beheer-toegang/"
