"""Access management pages: the role-holder export and the yearly access review (BIO).

Organisation admins (capability ``organisation.manage``) see and review their active
organisation; platform admins can export the role holders of all organisations.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vib.accounts import services as accounts_services
from vib.accounts.middleware import logged_in_user
from vib.accounts.roles import ORG_MANAGE
from vib.accounts.selectors import grant_requests_to_decide, has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import NotFound, ValidationError
from vib.operations import selectors, services
from vib.operations.forms import StartReviewForm
from vib.operations.models import Decision, ReviewStatus


def _managed(request: HttpRequest) -> Any:
    """The active organisation, if the user manages it; else None."""
    organisation = getattr(request, "organisation", None)
    if organisation is not None and has_capability(request.user, ORG_MANAGE, organisation):
        return organisation
    return None


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    organisation = _managed(request)
    staff = bool(request.user.is_staff)
    if organisation is None and not staff:
        raise NotFound
    reviews = list(selectors.access_reviews_of(organisation)) if organisation else []
    year = timezone.localdate().year
    context = {
        "organisation": organisation,
        "staff": staff,
        "reviews": reviews,
        "year": year,
        "may_start": organisation is not None and all(r.year != year for r in reviews),
        "form": StartReviewForm(),
        "grants": list(grant_requests_to_decide(request.user, organisation)),
    }
    return render(request, "operations/overview.html", context)


@require_POST
@login_required
def grant_decide(request: HttpRequest, id: str) -> HttpResponse:
    """Approve or reject a grant that waits for a second person (four eyes)."""
    organisation = getattr(request, "organisation", None)
    grant = (
        grant_requests_to_decide(request.user, organisation).filter(pk=id).first()
        if _uuid(id)
        else None
    )
    if grant is None:
        raise NotFound
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            accounts_services.role_grant_approve(
                actor=logged_in_user(request),
                grant=grant,
                request=request,
            )
            messages.success(request, _("The grant has been approved and is in force."))
        elif decision == "reject":
            accounts_services.role_grant_reject(
                actor=logged_in_user(request),
                grant=grant,
                request=request,
            )
            messages.success(request, _("The grant has been rejected."))
        else:
            messages.error(request, _("Choose approve or reject."))
    except ValidationError as error:
        messages.error(request, _message(error))
    return HttpResponseRedirect(reverse("operations:access"))


def _uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@login_required
def role_holders_export(request: HttpRequest) -> StreamingHttpResponse:
    organisation = _managed(request)
    if request.user.is_staff:
        scope, assignments = "all", selectors.current_assignments(organisations=None)
    elif organisation is not None:
        scope = organisation.code
        assignments = selectors.current_assignments(organisations=[organisation])
    else:
        raise NotFound
    audit_record(
        actor=logged_in_user(request),
        action=Action.EXPORT,
        object_type="accounts.roleassignment",
        organisation=None if scope == "all" else organisation,
        request=request,
        reason=f"role holders export ({scope})",
    )
    response = StreamingHttpResponse(
        selectors.role_holders_csv(assignments), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="rollen-{scope}-{stamp}.csv"'
    return response


@require_POST
@login_required
def review_start(request: HttpRequest) -> HttpResponse:
    organisation = _managed(request)
    if organisation is None:
        raise NotFound
    form = StartReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the year of the review."))
        return HttpResponseRedirect(reverse("operations:access"))
    try:
        review = services.access_review_start(
            actor=logged_in_user(request),
            organisation=organisation,
            year=form.cleaned_data["year"],
        )
    except ValidationError as error:
        messages.error(request, _message(error))
        return HttpResponseRedirect(reverse("operations:access"))
    messages.success(request, _("The access review has started."))
    return HttpResponseRedirect(reverse("operations:review", args=[review.id]))


@login_required
def review_detail(request: HttpRequest, id: str) -> HttpResponse:
    review = selectors.access_review_for_manager(user=request.user, id=id)
    if request.method == "POST":
        if review.status != ReviewStatus.OPEN:
            raise NotFound
        decisions = {
            key.removeprefix("decision-"): str(request.POST[key])
            for key in request.POST
            if key.startswith("decision-")
        }
        try:
            services.access_review_decide(
                actor=logged_in_user(request),
                review=review,
                decisions=decisions,
            )
            if request.POST.get("action") == "complete":
                ended = services.access_review_complete(
                    actor=logged_in_user(request),
                    review=review,
                )
                messages.success(
                    request,
                    ngettext(
                        "The access review is complete; %(count)d role was revoked.",
                        "The access review is complete; %(count)d roles were revoked.",
                        ended,
                    )
                    % {"count": ended},
                )
            else:
                messages.success(request, _("Your decisions have been saved."))
            return HttpResponseRedirect(reverse("operations:review", args=[review.id]))
        except ValidationError as error:
            messages.error(request, _message(error))
    items = list(selectors.access_review_items(review))
    return render(
        request,
        "operations/review.html",
        {
            "review": review,
            "items": items,
            "open": review.status == ReviewStatus.OPEN,
            "KEEP": Decision.KEEP.value,
            "REVOKE": Decision.REVOKE.value,
        },
    )
