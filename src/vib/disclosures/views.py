"""Thin views: parse, call a service or selector, render. Confidential objects come only from
``vib.access.disclosures``; the public register from ``selectors``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vib.access.disclosures import (
    access_financial_interest,
    access_side_activity,
    declarants_visible_to,
    financial_interests_visible_to,
    gifts_visible_to,
    side_activities_visible_to,
)
from vib.accounts.middleware import logged_in_user
from vib.accounts.selectors import has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.cells import escape_row
from vib.core.errors import NotFound, ValidationError
from vib.disclosures import capabilities as caps
from vib.disclosures import forms, opendata, public_cache, publication, selectors, services
from vib.disclosures.models import ActivityStatus, Office
from vib.web.shortcuts import errors_onto_form, organisation_or_404, require_capability

# --- my declarations --------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    declarant = None
    if organisation is not None:
        declarant = (
            declarants_visible_to(request.user, organisation)
            .filter(user=logged_in_user(request), left_on=None)
            .first()
        )
    own = {"declarant__user": request.user}
    context = {
        "declarant": declarant,
        "rule": publication.rule_for(declarant.office) if declarant else None,
        "activities": side_activities_visible_to(request.user, organisation).filter(**own),
        "gifts": gifts_visible_to(request.user, organisation).filter(**own),
        "interests": financial_interests_visible_to(request.user, organisation).filter(**own),
        "may_declare_interests": bool(declarant and services.must_declare_interests(declarant)),
        "confirmation": selectors.open_confirmation(declarant=declarant) if declarant else None,
        "is_registrar": organisation is not None
        and has_capability(request.user, caps.REGISTER, organisation),
        "is_compliance": organisation is not None
        and has_capability(request.user, caps.ASSESS_INTERESTS, organisation),
    }
    return render(request, "disclosures/mine.html", context)


@login_required
def activity_declare(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    form = forms.ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            declarant = services.declarant_for_self(
                actor=logged_in_user(request), organisation=organisation
            )
            activity = services.side_activity_declare(
                actor=logged_in_user(request), declarant=declarant, **form.cleaned_data
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request, _("Your declaration has been sent to the registrar of side activities.")
            )
            return HttpResponseRedirect(reverse("disclosures:activity", args=[activity.id]))
    return render(request, "disclosures/activity_form.html", {"form": form})


@login_required
def activity_detail(request: HttpRequest, id: str) -> HttpResponse:
    activity = access_side_activity(user=request.user, id=id, request=request)
    organisation = activity.organisation
    own = activity.declarant.user_id == request.user.pk
    registrar = has_capability(request.user, caps.REGISTER, organisation)
    rule = publication.rule_for(activity.declarant.office)
    context = {
        "activity": activity,
        "history": selectors.activity_history(activity=activity),
        "incomes": activity.incomes.all(),
        "rule": rule,
        "income_rule": rule.income != publication.IncomeRule.NONE,
        "may_register": registrar and activity.status == ActivityStatus.DECLARED,
        "may_assess": has_capability(request.user, caps.ASSESS_ACTIVITIES, organisation)
        and not own
        and activity.status in (ActivityStatus.DECLARED, ActivityStatus.REGISTERED),
        "may_change": (own or registrar)
        and activity.status in (ActivityStatus.DECLARED, ActivityStatus.REGISTERED),
        "register_form": forms.RegisterForm(),
        "assess_form": forms.AssessForm(),
        "income_form": forms.IncomeForm(),
        "end_form": forms.EndForm(),
    }
    return render(request, "disclosures/activity_detail.html", context)


def _activity_action(
    request: HttpRequest, id: str, form_class: Any, action: Any, done: str
) -> HttpResponse:
    activity = access_side_activity(user=request.user, id=id, request=request)
    form = form_class(request.POST)
    target = reverse("disclosures:activity", args=[activity.id])
    if form.is_valid():
        try:
            action(activity, form.cleaned_data)
        except ValidationError as error:
            errors_onto_form(form, error)
        except PermissionDenied:
            raise NotFound from None
        else:
            messages.success(request, done)
            return HttpResponseRedirect(target)
    for message in [e for errors in form.errors.values() for e in errors]:
        messages.error(request, message)
    return HttpResponseRedirect(target)


@require_POST
@login_required
def activity_register(request: HttpRequest, id: str) -> HttpResponse:
    return _activity_action(
        request,
        id,
        forms.RegisterForm,
        lambda a, d: services.side_activity_register(
            actor=logged_in_user(request), activity=a, **d
        ),
        _("The side activity has been registered."),
    )


@require_POST
@login_required
def activity_assess(request: HttpRequest, id: str) -> HttpResponse:
    return _activity_action(
        request,
        id,
        forms.AssessForm,
        lambda a, d: services.side_activity_assess(actor=logged_in_user(request), activity=a, **d),
        _("The assessment has been recorded."),
    )


@require_POST
@login_required
def activity_income(request: HttpRequest, id: str) -> HttpResponse:
    return _activity_action(
        request,
        id,
        forms.IncomeForm,
        lambda a, d: services.income_record(actor=logged_in_user(request), activity=a, **d),
        _("The income has been recorded."),
    )


@require_POST
@login_required
def activity_end(request: HttpRequest, id: str) -> HttpResponse:
    return _activity_action(
        request,
        id,
        forms.EndForm,
        lambda a, d: services.side_activity_end(actor=logged_in_user(request), activity=a, **d),
        _("The side activity has been ended."),
    )


@require_POST
@login_required
def activity_withdraw(request: HttpRequest, id: str) -> HttpResponse:
    return _activity_action(
        request,
        id,
        forms.RegisterForm,
        lambda a, d: services.side_activity_withdraw(
            actor=logged_in_user(request), activity=a, **d
        ),
        _("The declaration has been withdrawn."),
    )


@require_POST
@login_required
def confirm(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    declarant = (
        declarants_visible_to(request.user, organisation)
        .filter(user=logged_in_user(request), left_on=None)
        .first()
    )
    if declarant is None:
        raise NotFound
    try:
        count = services.confirmation_confirm(actor=logged_in_user(request), declarant=declarant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Thank you. %(count)d side activity confirmed.",
                "Thank you. %(count)d side activities confirmed.",
                count,
            )
            % {"count": count},
        )
    return HttpResponseRedirect(reverse("disclosures:mine"))


@require_POST
@login_required
def declare_none(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    declarant = services.declarant_for_self(
        actor=logged_in_user(request), organisation=organisation
    )
    services.declarant_declare_none(actor=logged_in_user(request), declarant=declarant)
    messages.success(request, _("You have declared that you hold no side functions."))
    return HttpResponseRedirect(reverse("disclosures:mine"))


# --- gifts ------------------------------------------------------------------------------------


@login_required
def gift_register(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    form = forms.GiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            declarant = services.declarant_for_self(
                actor=logged_in_user(request), organisation=organisation
            )
            services.gift_register(
                actor=logged_in_user(request), declarant=declarant, **form.cleaned_data
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("The gift has been registered."))
            return HttpResponseRedirect(reverse("disclosures:mine"))
    return render(request, "disclosures/gift_form.html", {"form": form})


# --- financial interests ----------------------------------------------------------------------


@login_required
def interest_declare(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    declarant = (
        declarants_visible_to(request.user, organisation)
        .filter(user=logged_in_user(request), left_on=None)
        .first()
    )
    if declarant is None or not services.must_declare_interests(declarant):
        raise NotFound
    form = forms.InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            interest = services.financial_interest_declare(
                actor=logged_in_user(request), declarant=declarant, **form.cleaned_data
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(
                request, _("Your declaration has been sent to the compliance officer.")
            )
            return HttpResponseRedirect(reverse("disclosures:interest", args=[interest.id]))
    return render(request, "disclosures/interest_form.html", {"form": form})


@login_required
def interest_list(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    if not has_capability(request.user, caps.ASSESS_INTERESTS, organisation):
        raise NotFound
    interests = financial_interests_visible_to(request.user, organisation).order_by(
        "status", "-declared_at"
    )
    audit_record(
        actor=logged_in_user(request),
        action=Action.LIST,
        object_type="disclosures.financialinterest",
        organisation=organisation,
        request=request,
    )
    return render(request, "disclosures/interest_list.html", {"interests": interests})


@login_required
def interest_detail(request: HttpRequest, id: str) -> HttpResponse:
    interest = access_financial_interest(user=request.user, id=id, request=request)
    may_assess = has_capability(request.user, caps.ASSESS_INTERESTS, interest.organisation)
    form = forms.InterestAssessForm(request.POST or None)
    if request.method == "POST":
        if not may_assess:
            raise NotFound
        if form.is_valid():
            try:
                services.financial_interest_assess(
                    actor=logged_in_user(request), interest=interest, **form.cleaned_data
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("The assessment has been recorded."))
                return HttpResponseRedirect(reverse("disclosures:interest", args=[interest.id]))
    return render(
        request,
        "disclosures/interest_detail.html",
        {"interest": interest, "may_assess": may_assess, "form": form},
    )


# --- the registrar ----------------------------------------------------------------------------


@login_required
def registrar(request: HttpRequest) -> HttpResponse:
    organisation = require_capability(request, caps.REGISTER)
    activities = side_activities_visible_to(request.user, organisation)
    context = {
        "pending": activities.filter(status=ActivityStatus.DECLARED).order_by("declared_at"),
        "registered": activities.filter(status=ActivityStatus.REGISTERED).order_by(
            "declarant__name", "body"
        ),
        "overdue": selectors.overdue_declarations(organisation=organisation),
        "overlaps": selectors.process_overlaps(organisation=organisation),
        "declarants": declarants_visible_to(request.user, organisation).filter(left_on=None),
        "functions": selectors.designated_functions_of(organisation=organisation),
        "gifts": gifts_visible_to(request.user, organisation)[:50],
    }
    return render(request, "disclosures/registrar.html", context)


@login_required
def declarant_add(request: HttpRequest) -> HttpResponse:
    organisation = require_capability(request, caps.REGISTER)
    functions = list(selectors.designated_functions_of(organisation=organisation))
    form = forms.DeclarantForm(
        request.POST or None, functions=[(str(f.id), f.name) for f in functions]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {str(f.id): f for f in functions}
        user = None
        if data["email"]:
            user = selectors.member_by_email(organisation=organisation, email=data["email"])
            if user is None:
                form.add_error("email", _("Nobody with this address holds a role here."))
        if not form.errors:
            try:
                services.declarant_create(
                    actor=logged_in_user(request),
                    organisation=organisation,
                    name=data["name"],
                    office=data["office"],
                    function=data["function"],
                    appointed_on=data["appointed_on"],
                    user=user,
                    designated_function=by_id.get(data["designated_function"] or ""),
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("The person has been added to the register."))
                return HttpResponseRedirect(reverse("disclosures:registrar"))
    return render(request, "disclosures/declarant_form.html", {"form": form})


@login_required
def function_designate(request: HttpRequest) -> HttpResponse:
    organisation = require_capability(request, caps.REGISTER)
    form = forms.DesignatedFunctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.designated_function_create(
                actor=logged_in_user(request), organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("The function has been designated."))
            return HttpResponseRedirect(reverse("disclosures:registrar"))
    return render(request, "disclosures/function_form.html", {"form": form})


CSV = "text/csv; charset=utf-8"

# --- the public register (no log-in) ----------------------------------------------------------


def public_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosures/public_index.html",
        {"organisations": selectors.published_organisations()},
    )


# ADR 0124: every anonymous visitor without a session gets the same bytes, kept per
# organisation, kind, date, page, language and encoding. Browsers and proxies may keep them
# but must ask before each use ("no-cache"): unchanged, the answer is a 304 from one cache
# read; changed, the new register at once, as ADR 0099 promises.
PAGE_SIZE = 50  # declarants per page: 50 are ~200 KB of HTML, 500 were 1.9 MB


def _reference_date(request: HttpRequest) -> date | None:
    """The reference date asked for (today at most, today when none); None when what was
    asked is not a date. No form is built for the usual request without a date."""
    today = timezone.localdate()
    if not request.GET.get("peildatum"):
        return today
    form = forms.PublicDateForm(request.GET)
    if not form.is_valid():
        return None
    return min(form.cleaned_data["peildatum"] or today, today)


def _page_number(request: HttpRequest) -> int:
    """``?pagina=N``; anything but a page number is a 404, never a 500."""
    raw = request.GET.get("pagina", "1")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        raise NotFound
    return int(raw)


def _accepts_gzip(request: HttpRequest) -> bool:
    for part in request.headers.get("Accept-Encoding", "").lower().split(","):
        coding, *params = (item.strip() for item in part.split(";"))
        if coding == "gzip":
            return not any(
                param.replace(" ", "").rstrip("0").rstrip(".") == "q=" for param in params
            )
    return False


def _shares_page(request: HttpRequest) -> bool:
    """A visitor without a session or pending messages sees exactly what every other does."""
    return not (settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES)


def _register(organisation: Any, on: date) -> selectors.PublicRegister:
    """The register on ``on``, built once per change for the page, its pages and files."""
    return public_cache.cached(
        organisation.pk,
        "register",
        on,
        lambda: selectors.public_register(organisation=organisation, on=on),
    )


def _shared(
    request: HttpRequest,
    code: str,
    kind: str,
    on: date,
    page: int,
    build: Callable[[Any], bytes],
    content_type: str,
) -> HttpResponse:
    """The kept final bytes of ``kind`` (built once when missing), with an ETag, a 304 when
    the visitor has them already, and gzip when the visitor accepts it."""
    encoding = "gzip" if _accepts_gzip(request) else "identity"
    representation = public_cache.final(code, kind, on, page, encoding)
    if representation is None:
        organisation = selectors.public_organisation(code=code)
        built_generation = public_cache.generation(organisation.pk)
        body = build(organisation)
        representation = public_cache.keep(
            code, organisation.pk, built_generation, kind, on, page, body
        )[encoding]
    response = HttpResponse(representation.body, content_type=content_type)
    response["ETag"] = representation.etag
    response["Content-Length"] = str(len(representation.body))
    if encoding == "gzip":
        response["Content-Encoding"] = "gzip"
    patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Encoding",))
    return (
        get_conditional_response(request, etag=representation.etag, response=response) or response
    )


def _paginate(register: selectors.PublicRegister, number: int) -> dict[str, Any]:
    """Page ``number`` of the register: current office holders first, then former ones."""
    current, former = register.people, register.former_people
    paginator = Paginator(range(len(current) + len(former)), PAGE_SIZE)
    try:
        page = paginator.page(number)
    except InvalidPage as exc:
        raise NotFound from exc
    start, end = page.start_index() - 1, page.end_index()
    return {
        "page": page,
        "people": current[start:end],
        "former_people": former[max(start - len(current), 0) : max(end - len(current), 0)],
        "listed": paginator.count,
    }


def _register_page(
    request: HttpRequest, organisation: Any, on: date, number: int, *, shared: bool
) -> HttpResponse:
    register = _register(organisation, on)
    part = _paginate(register, number)

    def people() -> str:
        return render_to_string(
            "disclosures/_public_register_people.html", {**part, "offices": Office}
        )

    people_html = public_cache.cached(organisation.pk, f"people:{number}", on, people)
    # Only the validated date goes back into the page: a shared page must not show what the
    # first visitor typed. A past date stays in the links to the other pages.
    query = {"peildatum": on.isoformat()} if on != timezone.localdate() else {}
    form = forms.PublicDateForm((query if shared else request.GET) or None)
    path = reverse("disclosures:public", args=[organisation.code])
    return render(
        request,
        "disclosures/public_register.html",
        {
            **part,
            "organisation": organisation,
            "on": on,
            "people_html": mark_safe(people_html),
            "form": form,
            "today": timezone.localdate(),
            "page_query": urlencode(query),
            "shared_page": shared,
            # The language switch returns to the canonical address of this page.
            "language_next": _address(path, query, number),
        },
    )


def _address(path: str, query: dict[str, str], number: int) -> str:
    params: dict[str, str | int] = {**query, "pagina": number} if number > 1 else {**query}
    return f"{path}?{urlencode(params)}" if params else path


def public_register(request: HttpRequest, code: str) -> HttpResponse:
    number = _page_number(request)
    on = _reference_date(request)
    if on is not None and _shares_page(request):
        day = on

        def build(organisation: Any) -> bytes:
            return _register_page(request, organisation, day, number, shared=True).content

        return _shared(request, code, "page", on, number, build, "text/html; charset=utf-8")
    # A visitor with a session (their own menu) or with a date that is none (the form says
    # so): built for them alone, from the same cached register.
    organisation = selectors.public_organisation(code=code)
    on = on or timezone.localdate()
    return _register_page(request, organisation, on, number, shared=False)


def _open_data(
    request: HttpRequest,
    code: str,
    kind: str,
    build: Callable[[Any], bytes],
    content_type: str,
    filename: str = "",
) -> HttpResponse:
    on = _reference_date(request) or timezone.localdate()
    response = _shared(
        request,
        code,
        kind,
        on,
        1,
        lambda organisation: build(_register(organisation, on)),
        content_type,
    )
    if filename:
        response["Content-Disposition"] = f'inline; filename="{code.upper()}-{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def public_csv_activities(request: HttpRequest, code: str) -> HttpResponse:
    return _open_data(
        request,
        code,
        "activities.csv",
        lambda register: _csv_bytes(opendata.ACTIVITY_COLUMNS, opendata.activity_rows(register)),
        CSV,
        "nevenfuncties.csv",
    )


def public_csv_income(request: HttpRequest, code: str) -> HttpResponse:
    return _open_data(
        request,
        code,
        "income.csv",
        lambda register: _csv_bytes(opendata.INCOME_COLUMNS, opendata.income_rows(register)),
        CSV,
        "inkomsten.csv",
    )


def public_json(request: HttpRequest, code: str) -> HttpResponse:
    return _open_data(
        request,
        code,
        "register.json",
        lambda register: json.dumps(
            opendata.register_document(register),
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=2,
        ).encode(),
        "application/json; charset=utf-8",
    )


def _csv_bytes(columns: list[str], rows: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    # People open these files in a spreadsheet: a declared "=HYPERLINK(…)" must stay text
    # (CWE-1236). The JSON is the lossless machine-readable form (ADR 0097).
    writer.writerows(escape_row(row) for row in rows)
    return out.getvalue().encode()
