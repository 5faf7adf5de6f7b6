"""Thin views: the public intake and mailbox, and the case handling pages.

Confidential objects come only from ``vib.access.integrity``. The intake and the mailbox
store and log nothing that identifies the reporter: no session, no address, no user agent;
the receipt code is shown once and never written anywhere (ADR 0020, 0022).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from vib.access import integrity as door
from vib.accounts.middleware import logged_in_user
from vib.accounts.roles import SECTOR_AGGREGATES
from vib.accounts.selectors import has_capability
from vib.core import crypto
from vib.core.anonymity import anonymous_route
from vib.core.errors import NotFound, ValidationError
from vib.integrity import capabilities as caps
from vib.integrity import (
    codes,
    forms,
    ratelimit,
    receipts,
    report,
    selectors,
    services,
    tickets,
    workflow,
)
from vib.integrity.models import Case
from vib.web import once
from vib.web.shortcuts import errors_onto_form

TICKET_COOKIE = "vib_mailbox"
TICKET_AGE = tickets.TICKET_AGE
MAILBOX_PATH = "/integriteit/brievenbus"
RECEIPT_COOKIE = "vib_receipt"
RECEIPT_PATH = "/integriteit/ontvangen"
RECEIPT_AGE = 15 * 60
INTAKE_ONCE = "integrity-intake"
RECORD_ONCE = "integrity-record"
SENSITIVE = ("code", "summary", "body", "name", "email", "phone", "reason", "minutes")


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    return response


def _reporters_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An anonymous route (no trace in the logs) that a logged-in session cannot use.

    A logged-in employee is told that a report is anonymous only when made without logging
    in, and offered to log out first; nothing they post is taken (ADR 0091).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            status = 403 if request.method == "POST" else 200
            return _private(
                render(request, "integrity/logged_in.html", {"next": request.path}, status=status)
            )
        return view(request, *args, **kwargs)

    return anonymous_route(wrapped)


# --- public: intake -------------------------------------------------------------------------


@_reporters_only
def intake_start(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("zoek", "").strip()[:100]
    page = Paginator(selectors.intake_organisations(query), 30).get_page(request.GET.get("pagina"))
    return _private(render(request, "integrity/intake_start.html", {"page": page, "query": query}))


def _throttled(request: HttpRequest, text: str) -> HttpResponse:
    return _private(render(request, "integrity/throttled.html", {"text": text}, status=429))


def _wait_for(request: HttpRequest) -> str | None:
    """None when this post may go ahead past a reached limit (its wait token is ripe, and now
    spent); otherwise the wait token the page must carry: the same one while it ripens, else
    a new one (ADR 0092)."""
    token = request.POST.get("wacht", "")
    state = ratelimit.wait_state(token)
    if state == "ok":
        return None
    return token if state == "early" else ratelimit.wait_token()


def _waiting(
    request: HttpRequest, template: str, context: dict[str, Any], token: str, text: str
) -> HttpResponse:
    context = {**context, "wait_token": token, "wait_text": text}
    return _private(render(request, template, context, status=429))


@_reporters_only
@sensitive_post_parameters(*SENSITIVE)
@sensitive_variables("code", "identity")
def intake(request: HttpRequest, organisation: str) -> HttpResponse:
    org = selectors.intake_organisation(organisation)
    config = selectors.settings_of(org)
    channels = config.accepted_channels()
    form = forms.IntakeForm(request.POST or None, request.FILES or None, channels=channels)
    if request.method == "POST":
        client = ratelimit.client_of(request)
        pressed = (
            ratelimit.exceeded(ratelimit.INTAKE_PER_CLIENT, client)
            or ratelimit.exceeded(ratelimit.INTAKE_PER_ORGANISATION, str(org.pk))
            or ratelimit.exceeded(ratelimit.INTAKE_GLOBAL, "all")
        )
        token = _wait_for(request) if pressed else None
        if token is not None:
            text = _(
                "Many reports have been sent in a short time. To keep this channel open, "
                "wait %(seconds)s seconds and then send your report again (add any files "
                "again)."
            ) % {"seconds": ratelimit.WAIT_SECONDS}
            context = {"organisation": org, "form": form, "channels": channels}
            return _waiting(request, "integrity/intake.html", context, token, text)
        if form.is_valid():
            if not once.claim(form, INTAKE_ONCE):
                # Sent before (reload, back button, double click): nothing is created again.
                return _private(HttpResponseRedirect(reverse("integrity:receipt"), status=303))
            data = form.cleaned_data
            identity = services.Identity(
                name=data["name"].strip(), email=data["email"].strip(), phone=data["phone"].strip()
            )
            try:
                case, code = services.report_submit(
                    organisation=org,
                    channel=data["channel"],
                    summary=data["summary"],
                    identity=identity,
                    files=data["files"],
                    wants_adviser=data["wants_adviser"],
                    case_type=data["case_type"],
                )
            except ValidationError as exc:
                once.release(form, INTAKE_ONCE)
                errors_onto_form(form, exc)
            else:
                ratelimit.hit(ratelimit.INTAKE_PER_CLIENT, client)
                ratelimit.hit(ratelimit.INTAKE_PER_ORGANISATION, str(org.pk))
                ratelimit.hit(ratelimit.INTAKE_GLOBAL, "all")
                # Post/Redirect/Get: the code travels to the receipt page encrypted in a
                # short-lived cookie of the reporter's own browser, never stored here (ADR 0105).
                response = HttpResponseRedirect(reverse("integrity:receipt"), status=303)
                response.set_cookie(
                    RECEIPT_COOKIE,
                    crypto.encrypt(f"{case.reference} {code}"),
                    max_age=RECEIPT_AGE,
                    path=RECEIPT_PATH,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Strict",
                )
                return _private(response)
    status = 400 if form.errors else 200
    context = {"organisation": org, "form": form, "channels": channels}
    return _private(render(request, "integrity/intake.html", context, status=status))


def _receipt_of(request: HttpRequest) -> tuple[str, str] | None:
    raw = request.COOKIES.get(RECEIPT_COOKIE, "")
    try:
        reference, code = crypto.decrypt_fresh(raw, max_age=RECEIPT_AGE).split(" ", 1)
    except (ValueError, ImproperlyConfigured):
        return None
    return reference, code


@_reporters_only
@sensitive_variables("found")
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt after a report: the code while the reporter's cookie lives, so a reload
    shows the same code and creates nothing; afterwards only that the report arrived."""
    if request.method == "POST":  # "I have saved the code": forget it, go to the mailbox
        response = HttpResponseRedirect(reverse("integrity:mailbox-login"), status=303)
        response.delete_cookie(RECEIPT_COOKIE, path=RECEIPT_PATH, samesite="Strict")
        return _private(response)
    found = _receipt_of(request)
    context: dict[str, Any] = {"bits": receipts.BITS, "code": None, "minutes": RECEIPT_AGE // 60}
    if found is not None:
        context["reference"], code = found
        context["code"] = receipts.grouped(code)
    return _private(render(request, "integrity/receipt.html", context))


# --- public: the mailbox --------------------------------------------------------------------


def _ticket_case(request: HttpRequest) -> Case | None:
    case_id = tickets.ticket_case_id(request.COOKIES.get(TICKET_COOKIE))
    if case_id is None:
        return None
    try:
        return door.access_mailbox_case(case_id=case_id)
    except NotFound:
        return None


def _set_ticket(request: HttpRequest, response: HttpResponse, case: Case, *, new: bool) -> None:
    """Give the browser its ticket: a new one after the code (the old one ends), else the same
    one with another 30 minutes (sliding expiry while the reporter is active)."""
    current = request.COOKIES.get(TICKET_COOKIE)
    if new or tickets.ticket_case_id(current) != str(case.pk):
        tickets.ticket_end(current)
        current = tickets.ticket_issue(case_id=str(case.pk))
    else:
        assert current is not None
        tickets.ticket_extend(current)
    response.set_cookie(
        TICKET_COOKIE,
        current,
        max_age=TICKET_AGE,
        path=MAILBOX_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


@_reporters_only
@sensitive_post_parameters(*SENSITIVE)
@sensitive_variables("code")
def mailbox_login(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and _ticket_case(request) is not None:
        return HttpResponseRedirect(reverse("integrity:mailbox"))
    form = forms.CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        client = ratelimit.client_of(request)
        typed = receipts.normalise(form.data.get("code", ""))
        per_code = receipts.index(typed) if typed else ""
        pressed = (
            ratelimit.exceeded(ratelimit.MAILBOX_FAILURES_PER_CLIENT, client)
            or ratelimit.exceeded(ratelimit.MAILBOX_FAILURES_GLOBAL, "all")
            or (
                bool(per_code) and ratelimit.exceeded(ratelimit.MAILBOX_ATTEMPTS_PER_CODE, per_code)
            )
        )
        token = _wait_for(request) if pressed else None
        if token is not None:
            text = _(
                "Many attempts with a wrong code have been made. To protect the mailboxes, "
                "wait %(seconds)s seconds and then enter your code again."
            ) % {"seconds": ratelimit.WAIT_SECONDS}
            return _waiting(
                request, "integrity/mailbox_login.html", {"form": forms.CodeForm()}, token, text
            )
        if per_code:
            ratelimit.hit(ratelimit.MAILBOX_ATTEMPTS_PER_CODE, per_code)
        case = services.mailbox_find(form.data.get("code", "")) if form.is_valid() else None
        if case is not None:
            response = HttpResponseRedirect(reverse("integrity:mailbox"))
            _set_ticket(request, response, case, new=True)
            return _private(response)
        ratelimit.hit(ratelimit.MAILBOX_FAILURES_PER_CLIENT, client)
        ratelimit.hit(ratelimit.MAILBOX_FAILURES_GLOBAL, "all")
        form = forms.CodeForm()  # never echo what was typed
        form.is_bound = False
        status = 400
        error = _("We cannot open a mailbox with this code. Check the code and try again.")
        return _private(
            render(
                request,
                "integrity/mailbox_login.html",
                {"form": form, "error": error},
                status=status,
            )
        )
    return _private(render(request, "integrity/mailbox_login.html", {"form": form}, status=status))


def _mailbox_context(case: Case, form: Any) -> dict[str, Any]:
    return {
        "case": case,
        "messages_": selectors.conversation(case, audience="reporter"),
        "minutes": selectors.minutes_of(case),
        "open_question": selectors.open_question(case),
        "form": form,
        "status_label": codes.Status(case.status).label,
        # The reporter's own words, as sent (an oral report has its minutes instead).
        "summary": selectors.case_summary(case) if case.form == codes.Form.WRITTEN else "",
    }


@_reporters_only
@sensitive_post_parameters(*SENSITIVE)
def mailbox(request: HttpRequest) -> HttpResponse:
    case = _ticket_case(request)
    if case is None:
        return HttpResponseRedirect(reverse("integrity:mailbox-login"))
    form = forms.MailboxMessageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if ratelimit.hit(ratelimit.MAILBOX_POSTS_PER_CASE, str(case.pk)):
            return _throttled(request, _("You have sent many messages. Try again in an hour."))
        if form.is_valid():
            try:
                services.mailbox_message_add(
                    case=case,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                    to_adviser=form.cleaned_data["to_adviser"],
                )
            except ValidationError as exc:
                errors_onto_form(form, exc)
            else:
                response: HttpResponse = HttpResponseRedirect(
                    reverse("integrity:mailbox") + "?verzonden=1"
                )
                _set_ticket(request, response, case, new=False)
                return _private(response)
        status = 400
    context = _mailbox_context(case, form)
    context["sent"] = request.GET.get("verzonden") == "1"
    response = render(request, "integrity/mailbox.html", context, status=status)
    _set_ticket(request, response, case, new=False)  # sliding while the reporter is active
    return _private(response)


def _download(name: str, data: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = signing_safe_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


def signing_safe_disposition(name: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(True, name) or "attachment"


@_reporters_only
def mailbox_file(request: HttpRequest, id: str) -> HttpResponse:
    case = _ticket_case(request)
    if case is None:
        raise NotFound
    attachment = door.access_attachment(user=None, case=case, id=id, audience="reporter")
    name, data = selectors.attachment_content(attachment)
    return _download(name, data, attachment.content_type)


@_reporters_only
@require_POST
def mailbox_sign_off(request: HttpRequest, id: str) -> HttpResponse:
    case = _ticket_case(request)
    if case is None:
        raise NotFound
    minutes = next((m for m, _text in selectors.minutes_of(case) if str(m.pk) == id), None)
    if minutes is None:
        raise NotFound
    with contextlib.suppress(ValidationError):  # already signed off, or superseded
        services.minutes_sign_off(case=case, minutes=minutes)
    return _private(HttpResponseRedirect(reverse("integrity:mailbox")))


@anonymous_route
@require_POST
def mailbox_logout(request: HttpRequest) -> HttpResponse:
    tickets.ticket_end(request.COOKIES.get(TICKET_COOKIE))  # a copied cookie is useless now
    response = HttpResponseRedirect(reverse("integrity:mailbox-login"))
    response.delete_cookie(TICKET_COOKIE, path=MAILBOX_PATH)
    return _private(response)


# --- handlers -------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    mine = door.cases_visible_to(request.user, organisation).order_by("received_at")
    rows = selectors.with_deadlines(mine.filter(status__in=codes.OPEN_STATUSES))
    context = {
        "rows": rows,
        "today": timezone.localdate(),
        "may_list": bool(organisation)
        and has_capability(request.user, caps.VIEW_CASE_LIST, organisation),
        "may_record": bool(organisation)
        and has_capability(request.user, caps.HANDLE_CASES, organisation),
        "may_advise": bool(organisation)
        and has_capability(request.user, caps.ADVISE, organisation),
        "may_report": has_capability(request.user, caps.VIEW_REPORT)
        or has_capability(request.user, SECTOR_AGGREGATES),
    }
    return render(request, "integrity/home.html", context)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    if organisation is None or not has_capability(request.user, caps.VIEW_CASE_LIST, organisation):
        raise NotFound
    cases = door.case_list_visible_to(request.user, organisation, request=request)
    # The work-queue order over the whole list (passed deadlines first), then one page of it.
    page = Paginator(selectors.queue_order(cases), 50).get_page(request.GET.get("pagina"))
    found = cases.in_bulk(list(page.object_list))
    my_ids = set(door.cases_visible_to(request.user, organisation).values_list("id", flat=True))
    rows = selectors.with_deadlines([found[pk] for pk in page.object_list if pk in found])  # type: ignore[arg-type]
    return render(
        request, "integrity/case_list.html", {"page": page, "rows": rows, "my_ids": my_ids}
    )


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    member = selectors.membership(case, request.user)
    targets = sorted(
        workflow.allowed(case.case_type, case.status), key=list(codes.Status.values).index
    )
    context = {
        "case": case,
        "member": member,
        "summary": selectors.case_summary(case),
        "messages_": selectors.conversation(case, audience="team"),
        "minutes": selectors.minutes_of(case),
        "team": selectors.team_of(case),
        "history": selectors.history_of(case),
        "rows": selectors.with_deadlines([case]) if case.is_open else [],  # type: ignore[arg-type]
        "message_form": forms.HandlerMessageForm(),
        "classify_form": forms.ClassifyForm(
            initial={
                "category": case.category_id,
                "subject_kind": case.subject_kind,
                "subject_function": case.subject_function,
                "subject_tier": case.subject_tier,
                "vulnerable_process": case.vulnerable_process,
                "triage": case.triage,
                "investigation": case.investigation,
                "finding": case.finding,
                "aangifte": case.aangifte,
            }
        ),
        "transition_form": forms.TransitionForm(targets=targets) if targets else None,
        "forward_form": forms.ForwardForm() if case.status == codes.Status.TRIAGE else None,
        "reveal_form": forms.RevealForm()
        if member and member.designated and case.identity_ct
        else None,
        "measure_form": forms.MeasureForm(measures=selectors.measure_types(case.organisation))
        if case.status == codes.Status.MEASURES
        else None,
        "measures": case.measures.select_related("measure"),
        "team_form": forms.TeamForm(candidates=selectors.team_candidates(case))
        if member and member.role == codes.MemberRole.HANDLER
        else None,
        "identity": None,
    }
    context.update(extra)
    return context


@login_required
def case_detail(request: HttpRequest, id: str) -> HttpResponse:
    case = door.access_case(user=request.user, id=id, request=request)
    return render(request, "integrity/case_detail.html", _case_context(request, case))


def _post_case(request: HttpRequest, id: str) -> Case:
    return door.access_case(user=request.user, id=id, request=request)


def _back(case: Case, anchor: str = "") -> HttpResponse:
    return HttpResponseRedirect(reverse("integrity:case", args=[case.pk]) + anchor)


def _invalid(request: HttpRequest, case: Case, key: str, form: Any) -> HttpResponse:
    return render(
        request,
        "integrity/case_detail.html",
        _case_context(request, case, **{key: form}),
        status=400,
    )


@require_POST
@login_required
@sensitive_post_parameters(*SENSITIVE)
def case_message(request: HttpRequest, id: str) -> HttpResponse:
    case = _post_case(request, id)
    form = forms.HandlerMessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_add(case=case, actor=logged_in_user(request), **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("Your message has been saved."))
            return _back(case, "#gesprek")
    return _invalid(request, case, "message_form", form)


@require_POST
@login_required
def case_share(request: HttpRequest, id: str, message: str) -> HttpResponse:
    case = _post_case(request, id)
    found = selectors.case_message(case, message)
    if found is None:
        raise NotFound
    try:
        services.message_share(case=case, actor=logged_in_user(request), message=found)
    except ValidationError:
        raise NotFound from None
    messages.success(request, _("The message has been shared with the confidential adviser."))
    return _back(case, "#gesprek")


@require_POST
@login_required
def case_classify(request: HttpRequest, id: str) -> HttpResponse:
    case = _post_case(request, id)
    form = forms.ClassifyForm(request.POST)
    if form.is_valid():
        try:
            services.case_classify(case=case, actor=logged_in_user(request), **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The classification has been saved."))
            return _back(case, "#classificatie")
    return _invalid(request, case, "classify_form", form)


@require_POST
@login_required
def case_transition(request: HttpRequest, id: str) -> HttpResponse:
    case = _post_case(request, id)
    targets = list(workflow.allowed(case.case_type, case.status))
    form = forms.TransitionForm(request.POST, targets=targets)
    if form.is_valid():
        try:
            case = services.case_transition(
                case=case, actor=logged_in_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("The status is now: %(status)s.") % {"status": codes.Status(case.status).label},
            )
            return _back(case)
    return _invalid(request, case, "transition_form", form)


@require_POST
@login_required
def case_forward(request: HttpRequest, id: str) -> HttpResponse:
    case = _post_case(request, id)
    form = forms.ForwardForm(request.POST)
    if form.is_valid():
        try:
            services.case_forward(case=case, actor=logged_in_user(request), **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The case has been forwarded."))
            return _back(case)
    return _invalid(request, case, "forward_form", form)


@require_POST
@login_required
def case_measure(request: HttpRequest, id: str) -> HttpResponse:
    case = _post_case(request, id)
    form = forms.MeasureForm(request.POST, measures=selectors.measure_types(case.organisation))
    if form.is_valid():
        try:
            services.measure_add(
                case=case, actor=logged_in_user(request), measure=form.cleaned_data["measure"]
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The measure has been added."))
            return _back(case)
    return _invalid(request, case, "measure_form", form)


@require_POST
@login_required
def case_team(request: HttpRequest, id: str) -> HttpResponse:
    case = _post_case(request, id)
    form = forms.TeamForm(request.POST, candidates=selectors.team_candidates(case))
    if form.is_valid():
        try:
            services.team_add(
                case=case,
                actor=logged_in_user(request),
                member=form.cleaned_data["member"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The team member has been added."))
            return _back(case, "#team-kop")
    return _invalid(request, case, "team_form", form)


@require_POST
@login_required
@sensitive_post_parameters(*SENSITIVE)
def case_reveal(request: HttpRequest, id: str) -> HttpResponse:
    case = _post_case(request, id)
    form = forms.RevealForm(request.POST)
    if form.is_valid():
        try:
            identity = services.identity_reveal(
                case=case,
                actor=logged_in_user(request),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            context = _case_context(request, case, identity=identity)
            return _private(render(request, "integrity/case_detail.html", context))
    return _invalid(request, case, "reveal_form", form)


@login_required
def case_file(request: HttpRequest, id: str, file: str) -> HttpResponse:
    case = door.access_case(user=request.user, id=id, request=request)
    attachment = door.access_attachment(
        user=request.user, case=case, id=file, audience="team", request=request
    )
    name, data = selectors.attachment_content(attachment)
    return _download(name, data, attachment.content_type)


@login_required
@sensitive_post_parameters(*SENSITIVE)
def record(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    if organisation is None or not has_capability(request.user, caps.HANDLE_CASES, organisation):
        raise NotFound
    form = forms.RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not once.claim(form, RECORD_ONCE):
            messages.info(request, _("This report was already recorded; nothing was added."))
            return HttpResponseRedirect(reverse("integrity:cases"), status=303)
        data = form.cleaned_data
        try:
            case, _code = services.report_record(
                actor=logged_in_user(request),
                organisation=organisation,
                channel=data["channel"],
                minutes=data["minutes"],
                identity=services.Identity(data["name"], data["email"], data["phone"]),
                case_type=data["case_type"],
            )
        except ValidationError as exc:
            once.release(form, RECORD_ONCE)
            errors_onto_form(form, exc)
        else:
            context = {
                "organisation": organisation,
                "code": receipts.grouped(_code),
                "reference": case.reference,
                "bits": receipts.BITS,
                "oral": True,
                "case": case,
            }
            return _private(render(request, "integrity/receipt.html", context))
    status = 400 if form.errors else 200
    return render(request, "integrity/record.html", {"form": form}, status=status)


@login_required
def advice_list(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    if organisation is None or not has_capability(request.user, caps.ADVISE, organisation):
        raise NotFound
    cases = door.adviser_cases_visible_to(request.user, organisation).order_by("-received_at")
    return render(request, "integrity/advice_list.html", {"cases": cases})


@login_required
def advice_detail(request: HttpRequest, id: str) -> HttpResponse:
    case = door.access_adviser_case(user=request.user, id=id, request=request)
    context = {"case": case, "messages_": selectors.conversation(case, audience="adviser")}
    return render(request, "integrity/advice_detail.html", context)


@login_required
def yearly_report(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    sector = has_capability(request.user, SECTOR_AGGREGATES)
    own = organisation is not None and has_capability(
        request.user,
        caps.VIEW_REPORT,
        organisation,
    )
    if not (sector or own):
        raise NotFound
    data = request.GET.copy()
    data.setdefault("jaar", str(timezone.localdate().year))
    data.setdefault("schaal", "organisatie" if own else "landelijk")
    data.setdefault("formaat", "html")
    form = forms.ReportForm(data)
    if not form.is_valid():
        return render(request, "integrity/report.html", {"form": form, "report": None}, status=400)
    scope = form.cleaned_data["schaal"]
    year = form.cleaned_data["jaar"]
    from vib.organisations.models import Tier

    if scope == "organisatie":
        if not own:
            raise NotFound
        orgs = selectors.report_organisations(organisation=organisation)
        title = _("Integrity report of %(name)s") % {"name": organisation.name}  # type: ignore[union-attr]
    elif not sector:
        raise NotFound
    elif scope == "bestuurslaag":
        tier = form.cleaned_data["bestuurslaag"] or Tier.GEMEENTE
        orgs = selectors.report_organisations(tier=tier)
        title = _("Integrity report: %(tier)s") % {"tier": Tier(tier).label}
    else:
        orgs = None
        title = _("Integrity report: national")
    data_ = report.build(year=year, organisations=orgs, title=title)
    from vib.audit.models import Action
    from vib.audit.services import audit_record

    audit_record(
        actor=logged_in_user(request),
        action=Action.EXPORT,
        object_type="integrity.yearly_report",
        object_id=f"{scope}:{year}",
        organisation=organisation if scope == "organisatie" else None,
        request=request,
    )
    fmt = form.cleaned_data["formaat"]
    filename = f"integriteit-{scope}-{year}"
    if fmt == "csv":
        response = HttpResponse(report.to_csv(data_), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            report.to_xlsx(data_),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    context = {"form": form, "report": data_, "legend": report.LEGEND}
    if fmt == "pdf":
        from django.template.loader import render_to_string

        html = render_to_string("integrity/report_pdf.html", context, request=request)
        response = HttpResponse(
            report.to_pdf(html, request.build_absolute_uri("/")), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    return render(request, "integrity/report.html", context)
