"""Thin views of the support desk. Confidential objects come only from ``vib.access.support``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vib.access import support as access
from vib.accounts.middleware import logged_in_user
from vib.accounts.selectors import has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core import disclosure
from vib.core.anonymity import anonymous_route
from vib.core.errors import NotFound, ValidationError
from vib.support import capabilities as caps
from vib.support import codes, forms, selectors, services
from vib.support.models import HelpRequest
from vib.web import once
from vib.web.shortcuts import active_organisation, errors_onto_form


def _phone_team(request: HttpRequest) -> Any:
    return selectors.team_for(active_organisation(request))


def _team_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_team_member(request.user):
            raise NotFound
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


# Start and asking for help ---------------------------------------------------------------------


@anonymous_route
def start(request: HttpRequest) -> HttpResponse:
    """The desk's front door. The acute-threat block comes first, for everyone, without JS.
    Someone reading how to get help leaves no trace in the logs (an anonymous route)."""
    user = request.user
    return render(
        request,
        "support/start.html",
        {
            "team": _phone_team(request),
            "is_team_member": access.is_team_member(user),
            "own_count": access.own_requests_visible_to(user).count()
            if user.is_authenticated
            else 0,
        },
    )


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    organisation = active_organisation(request)
    on_behalf = None
    if organisation is not None and has_capability(
        request.user,
        caps.REQUEST_ON_BEHALF,
        organisation,
    ):
        on_behalf = _members_of(request)
    form = forms.HelpRequestForm(request.POST or None, on_behalf_choices=on_behalf)
    if request.method == "GET":
        form.initial["function"] = _guess_function(request)
    if request.method == "POST" and form.is_valid():
        if organisation is None:
            form.add_error(
                None,
                _(
                    "You hold no role in an organisation, so we cannot route "
                    "your request. Please call the phone line."
                ),
            )
        elif not once.claim(form, "support-ask"):
            # Sent before (back button, double click): nothing is asked twice.
            messages.info(request, _("This request was already sent; nothing was added."))
            return HttpResponseRedirect(reverse("support:mine"))
        else:
            data = form.cleaned_data
            try:
                help_request = services.help_request_submit(
                    submitted_by=request.user,
                    organisation=organisation,
                    office_holder=data.get("office_holder") or request.user,
                    function=data["function"],
                    theme=data["theme"],
                    urgency=data["urgency"],
                    description=data["description"],
                    contact=data["contact"],
                    contact_details=data["contact_details"],
                    wants_scan=data["wants_scan"],
                    wants_allowance=data["wants_allowance"],
                )
            except ValidationError as exc:
                once.release(form, "support-ask")
                errors_onto_form(form, exc)
            else:
                request.session["support_submitted"] = {
                    "urgency": help_request.urgency,
                    "own": help_request.office_holder_id == request.user.pk,
                    "id": str(help_request.pk),
                }
                return HttpResponseRedirect(reverse("support:submitted"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "support/ask.html",
        {"form": form, "team": _phone_team(request), "on_behalf": on_behalf is not None},
        status=status,
    )


def _members_of(request: HttpRequest) -> Any:
    return access.on_behalf_candidates(request.user, active_organisation(request))


def _guess_function(request: HttpRequest) -> str:
    from vib.accounts.selectors import assignments_of

    for assignment in assignments_of(request.user):
        if assignment.organisation_id == getattr(active_organisation(request), "pk", None):
            value = assignment.function.strip().lower()
            for code, _label in codes.Function.choices:
                if value == code or value == _label.lower():
                    return str(code)
            if value == "statenlid":
                return str(codes.Function.STATES_MEMBER)
    return ""


@login_required
def submitted(request: HttpRequest) -> HttpResponse:
    """The receipt. For an acute request the 112 message and the phone line come first again.

    A griffier who asked on someone's behalf gets this receipt only, never the request."""
    info = request.session.pop("support_submitted", None)
    if info is None:
        return HttpResponseRedirect(reverse("support:mine"))
    return render(request, "support/submitted.html", {"info": info, "team": _phone_team(request)})


# The office holder's own requests --------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    rows = access.own_requests_visible_to(request.user).defer("description", "contact_details")
    return render(request, "support/mine.html", {"requests": rows, "team": _phone_team(request)})


def _own_page(request: HttpRequest, help_request: HelpRequest, **extra: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "case": help_request,
        "messages_shared": help_request.messages.filter(internal=False).select_related("author"),
        "actions": help_request.actions.select_related("owner__user"),
        "referrals": help_request.referrals.all(),
        "adviser": help_request.case_members.filter(role=codes.MemberRole.ADVISER)
        .select_related("member__user")
        .first(),
        "home": getattr(help_request, "home_security", None),
        "message_form": forms.MessageForm(),
        "rating_form": forms.RatingForm(),
        "home_form": forms.HomeSecurityForm(),
        "team": help_request.team,
        "year": timezone.localdate().year,
    }
    context["allowance_approved"], context["allowance_cap"] = selectors.allowance_total(
        office_holder=help_request.office_holder, year=context["year"]
    )
    bound = extra.pop("consent_form", None)
    context["consents"] = [
        (
            referral,
            bound
            if bound is not None and bound.auto_id == f"id_{referral.pk}_%s"
            else forms.ConsentForm(auto_id=f"id_{referral.pk}_%s"),
        )
        for referral in context["referrals"]
        if referral.status == codes.ReferralStatus.PROPOSED
    ]
    context.update(extra)
    return render(request, "support/own_detail.html", context, status=400 if extra else 200)


@login_required
def own_detail(request: HttpRequest, id: str) -> HttpResponse:
    help_request = access.access_own_request(user=request.user, id=id, request=request)
    return _own_page(request, help_request)


def _own_post(
    request: HttpRequest,
    id: str,
    form_class: type[Form],
    form_key: str,
    act: Callable[[HelpRequest, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    help_request = access.access_own_request(user=request.user, id=id, request=request)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(help_request, form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("support:own", args=[help_request.pk]))
    return _own_page(request, help_request, **{form_key: form, "error_form": form})


@require_POST
@login_required
def own_message(request: HttpRequest, id: str) -> HttpResponse:
    return _own_post(
        request,
        id,
        forms.MessageForm,
        "message_form",
        lambda r, d: services.message_add(
            help_request=r, actor=logged_in_user(request), text=d["text"]
        ),
        _("Your message has been sent to your adviser."),
    )


@require_POST
@login_required
def own_rating(request: HttpRequest, id: str) -> HttpResponse:
    return _own_post(
        request,
        id,
        forms.RatingForm,
        "rating_form",
        lambda r, d: services.request_rate(
            help_request=r, actor=logged_in_user(request), score=d["score"]
        ),
        _("Thank you for your answer."),
    )


@require_POST
@login_required
def own_home_security(request: HttpRequest, id: str) -> HttpResponse:
    return _own_post(
        request,
        id,
        forms.HomeSecurityForm,
        "home_form",
        lambda r, d: services.home_security_request(
            help_request=r,
            actor=logged_in_user(request),
            wants_scan=d["wants_scan"],
            wants_allowance=d["wants_allowance"],
        ),
        _("Your request for home security has been passed on to your adviser."),
    )


@require_POST
@login_required
def referral_decide(request: HttpRequest, id: str) -> HttpResponse:
    referral = access.access_own_referral(user=request.user, id=id, request=request)
    form = forms.ConsentForm(request.POST, auto_id=f"id_{referral.pk}_%s")
    if form.is_valid():
        consent = form.cleaned_data["decision"] == "consent"
        try:
            services.referral_decide(
                referral=referral, actor=logged_in_user(request), consent=consent
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("You consented. Your adviser will now pass this on to your organisation.")
                if consent
                else _("You did not consent. Nothing is passed on to your organisation."),
            )
            return HttpResponseRedirect(reverse("support:own", args=[referral.request_id]))
    return _own_page(request, referral.request, consent_form=form, error_form=form)


# The team --------------------------------------------------------------------------------------


@_team_member_required
def team(request: HttpRequest) -> HttpResponse:
    # Urgency before age: an acute request never waits behind a routine one.
    queue = access.intake_queue_visible_to(request.user).order_by(
        selectors.URGENCY_RANK, "submitted_at"
    )
    cases = access.cases_visible_to(request.user).defer("description", "contact_details")
    audit_record(
        actor=logged_in_user(request),
        action=Action.LIST,
        object_type="support.helprequest",
        organisation="",
        request=request,
        reason="team overview",
    )
    return render(
        request,
        "support/team.html",
        {
            "queue": queue,
            "open_cases": cases.exclude(status=codes.Status.CLOSED).order_by(
                selectors.URGENCY_RANK, "submitted_at"
            ),
            "closed_cases": cases.filter(status=codes.Status.CLOSED).order_by("-closed_at")[:20],
            "advisers": access.advisers_available_to(request.user),
            "memberships": access.memberships_of(request.user),
        },
    )


@require_POST
@_team_member_required
def take_on(request: HttpRequest, id: str) -> HttpResponse:
    help_request = access.access_intake_request(user=request.user, id=id, request=request)
    try:
        services.case_take_on(help_request=help_request, actor=logged_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("support:team"))
    messages.success(request, _("You are now the adviser on this request."))
    return HttpResponseRedirect(reverse("support:case", args=[help_request.pk]))


@require_POST
@_team_member_required
def assign(request: HttpRequest, id: str) -> HttpResponse:
    help_request = access.access_intake_request(user=request.user, id=id, request=request)
    form = forms.MemberForm(request.POST, members=access.advisers_available_to(request.user))
    if form.is_valid():
        try:
            services.case_assign_adviser(
                help_request=help_request,
                member=form.cleaned_data["member"],
                actor=logged_in_user(request),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The adviser has been assigned."))
    else:
        messages.error(request, _("Choose an adviser."))
    return HttpResponseRedirect(reverse("support:team"))


def _case_page(request: HttpRequest, case: HelpRequest, **extra: Any) -> HttpResponse:
    members = case.case_members.select_related("member__user", "member__team")
    mine = next((m for m in members if m.member.user_id == request.user.pk), None)
    year = timezone.localdate().year
    approved, cap = selectors.allowance_total(office_holder=case.office_holder, year=year)
    home = getattr(case, "home_security", None)
    context: dict[str, Any] = {
        "case": case,
        "members": members,
        "is_adviser": mine is not None and mine.role == codes.MemberRole.ADVISER,
        "conversation": case.messages.select_related("author"),
        "actions": case.actions.select_related("owner__user"),
        "referrals": case.referrals.all(),
        "history": case.history.select_related("actor"),
        "home": home,
        "measures": home.measures.all() if home else [],
        "year": year,
        "allowance_approved": approved,
        "allowance_cap": cap,
        "allowance_remaining": cap - approved,
        "allowance_paid": selectors.allowance_paid(office_holder=case.office_holder, year=year),
        "message_form": forms.TeamMessageForm(),
        "expert_form": forms.MemberForm(
            members=access.experts_available_to(request.user).exclude(
                id__in=[m.member_id for m in members]
            ),
            label=_("Expert"),
        ),
        "action_form": forms.PlanActionForm(owners=_owners(case)),
        "referral_form": forms.ReferralForm(),
        "close_form": forms.CloseForm(),
        "scan_form": forms.ScanForm(),
        "measure_form": forms.MeasureForm(),
        "today": timezone.localdate(),
    }
    bound = extra.pop("payment_form", None)
    context["measure_rows"] = [
        (
            measure,
            bound
            if bound is not None and bound.auto_id == f"id_pay_{measure.pk}_%s"
            else forms.PaymentForm(auto_id=f"id_pay_{measure.pk}_%s"),
        )
        for measure in context["measures"]
    ]
    context.update(extra)
    return render(request, "support/case_detail.html", context, status=400 if extra else 200)


def _owners(case: HelpRequest) -> Any:
    return access.case_team_of(case)


@_team_member_required
def case_detail(request: HttpRequest, id: str) -> HttpResponse:
    case = access.access_case(user=request.user, id=id, request=request)
    return _case_page(request, case)


def _case_post(
    request: HttpRequest,
    id: str,
    make_form: Callable[[HelpRequest], Form],
    form_key: str,
    act: Callable[[HelpRequest, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    case = access.access_case(user=request.user, id=id, request=request)
    form = make_form(case)
    if form.is_valid():
        try:
            act(case, form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Only the adviser on this request can do this."))
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("support:case", args=[case.pk]))
    return _case_page(request, case, **{form_key: form, "error_form": form})


@require_POST
@_team_member_required
def case_message(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.TeamMessageForm(request.POST),
        "message_form",
        lambda c, d: services.message_add(
            help_request=c,
            actor=logged_in_user(request),
            text=d["text"],
            internal=d["internal"],
            records_contact=d["records_contact"],
        ),
        _("The message has been added."),
    )


@require_POST
@_team_member_required
def case_expert(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.MemberForm(
            request.POST, members=access.experts_available_to(request.user), label=_("Expert")
        ),
        "expert_form",
        lambda c, d: services.case_add_expert(
            help_request=c, member=d["member"], actor=logged_in_user(request)
        ),
        _("The expert has been added to the request."),
    )


@require_POST
@_team_member_required
def case_action(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.PlanActionForm(request.POST, owners=_owners(c)),
        "action_form",
        lambda c, d: services.plan_action_add(
            help_request=c,
            actor=logged_in_user(request),
            description=d["description"],
            follow_up_on=d["follow_up_on"],
            owner=d["owner"],
        ),
        _("The action has been added to the plan."),
    )


@require_POST
@_team_member_required
def action_done(request: HttpRequest, id: str) -> HttpResponse:
    action = access.access_case_action(user=request.user, id=id, request=request)
    try:
        services.plan_action_complete(action=action, actor=logged_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The action is marked as done."))
    return HttpResponseRedirect(reverse("support:case", args=[action.request_id]))


@require_POST
@_team_member_required
def case_referral(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.ReferralForm(request.POST),
        "referral_form",
        lambda c, d: services.referral_propose(
            help_request=c,
            actor=logged_in_user(request),
            target=d["target"],
            shared_summary=d["shared_summary"],
        ),
        _("The referral has been proposed. The office holder decides on consent."),
    )


@require_POST
@_team_member_required
def referral_link(request: HttpRequest, id: str) -> HttpResponse:
    referral = access.access_case_referral(user=request.user, id=id, request=request)
    try:
        services.referral_create_linked(referral=referral, actor=logged_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("Only the adviser on this request can do this."))
    else:
        messages.success(request, _("The linked record has been created in the organisation."))
    return HttpResponseRedirect(reverse("support:case", args=[referral.request_id]))


@require_POST
@_team_member_required
def case_close(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.CloseForm(request.POST),
        "close_form",
        lambda c, d: services.case_close(
            help_request=c, actor=logged_in_user(request), note=d["note"]
        ),
        _("The request is closed. The office holder is asked how satisfied they are."),
    )


@require_POST
@_team_member_required
def case_reopen(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.CloseForm(request.POST),
        "close_form",
        lambda c, d: services.case_reopen(
            help_request=c, actor=logged_in_user(request), note=d["note"]
        ),
        _("The request is open again."),
    )


@require_POST
@_team_member_required
def case_scan(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.ScanForm(request.POST),
        "scan_form",
        lambda c, d: services.home_security_record_scan(
            help_request=c, actor=logged_in_user(request), scan_on=d["scan_on"], advice=d["advice"]
        ),
        _("The scan's advice has been recorded."),
    )


@require_POST
@_team_member_required
def case_measure(request: HttpRequest, id: str) -> HttpResponse:
    return _case_post(
        request,
        id,
        lambda c: forms.MeasureForm(request.POST),
        "measure_form",
        lambda c, d: services.measure_approve(
            help_request=c,
            actor=logged_in_user(request),
            description=d["description"],
            amount=d["amount"],
        ),
        _("The measure has been approved."),
    )


@require_POST
@_team_member_required
def measure_payment(request: HttpRequest, id: str) -> HttpResponse:
    measure = access.access_case_measure(user=request.user, id=id, request=request)
    case = measure.home_security.request
    form = forms.PaymentForm(request.POST, auto_id=f"id_pay_{measure.pk}_%s")
    if form.is_valid():
        try:
            services.measure_record_payment(
                measure=measure,
                actor=logged_in_user(request),
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Only the adviser on this request can do this."))
        else:
            messages.success(request, _("The payment has been recorded."))
            return HttpResponseRedirect(reverse("support:case", args=[case.pk]))
    case = access.access_case(user=request.user, id=case.pk, request=request)
    return _case_page(request, case, payment_form=form, error_form=form)


# The library -------------------------------------------------------------------------------------


def library(request: HttpRequest) -> HttpResponse:
    form = forms.LibrarySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    maintainer = access.is_team_member(request.user)
    rows = selectors.instruments(
        q=data.get("q", ""),
        kind=data.get("kind", ""),
        theme=data.get("theme", ""),
        include_unpublished=maintainer,
    )
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    response = render(
        request,
        "support/library.html#results" if partial else "support/library.html",
        {
            "form": form,
            "instruments": rows,
            "maintainer": maintainer,
            "searched": bool(data.get("q") or data.get("kind") or data.get("theme")),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


def instrument_detail(request: HttpRequest, id: str) -> HttpResponse:
    maintainer = access.is_team_member(request.user)
    instrument = selectors.instrument(id=id, include_unpublished=maintainer)
    if instrument is None:
        raise NotFound
    return render(
        request,
        "support/instrument_detail.html",
        {"instrument": instrument, "maintainer": maintainer},
    )


@_team_member_required
def instrument_edit(request: HttpRequest, id: str | None = None) -> HttpResponse:
    instrument = selectors.instrument(id=id, include_unpublished=True) if id else None
    if id and instrument is None:
        raise NotFound
    initial = {}
    if instrument is not None:
        initial = {f: getattr(instrument, f) for f in forms.InstrumentForm.base_fields}
    form = forms.InstrumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.instrument_save(
                actor=logged_in_user(request), instrument=instrument, **form.cleaned_data
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The instrument has been saved."))
            return HttpResponseRedirect(reverse("support:instrument", args=[saved.pk]))
    return render(
        request,
        "support/instrument_form.html",
        {"form": form, "instrument": instrument},
        status=400 if request.method == "POST" else 200,
    )


# Statistics --------------------------------------------------------------------------------


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    national, teams = access.statistics_teams_for(request.user)
    team_list = list(teams)
    if not national and not team_list:
        raise NotFound
    this_year = timezone.localdate().year
    form = forms.StatisticsForm(
        request.GET or None, years=list(range(this_year, this_year - 5, -1))
    )
    year = form.cleaned_data.get("year") if form.is_valid() else None
    sections = []
    if national:
        sections.append((_("All teams"), selectors.support_statistics(year=year)))
    for team in team_list:
        sections.append((team.name, selectors.support_statistics(team=team, year=year)))
    audit_record(
        actor=logged_in_user(request),
        action=Action.READ,
        object_type="support.statistics",
        organisation="",
        request=request,
        reason=f"year={year or 'all'}",
    )
    return render(
        request,
        "support/statistics.html",
        {"form": form, "sections": sections, "threshold": disclosure.THRESHOLD, "year": year},
    )
