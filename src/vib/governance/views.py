"""Thin views of the governance module. The inventory and checklist come only through
``vib.access.governance``; aggregates and the code list through ``selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.access.governance import (
    access_vulnerable_process,
    may_view_checklist,
    vulnerable_processes_visible_to,
)
from vib.accounts.middleware import logged_in_user
from vib.accounts.selectors import has_capability
from vib.core import disclosure
from vib.core.errors import NotFound, ValidationError
from vib.governance import capabilities as caps
from vib.governance import checklist, forms, selectors, services
from vib.web.shortcuts import errors_onto_form, organisation_or_404


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    may_processes = has_capability(request.user, caps.VIEW_PROCESSES, organisation)
    may_checklist = may_view_checklist(request.user, organisation)
    if not (may_processes or may_checklist):
        raise NotFound
    processes = list(vulnerable_processes_visible_to(request.user, organisation))
    context = {
        "coverage": selectors.process_coverage(processes=processes) if may_processes else None,
        "may_manage": has_capability(request.user, caps.MANAGE_PROCESSES, organisation),
        "may_checklist": may_checklist,
        "year": timezone.localdate().year,
    }
    return render(request, "governance/overview.html", context)


@login_required
def process_create(request: HttpRequest) -> HttpResponse:
    organisation = organisation_or_404(request)
    if not has_capability(request.user, caps.MANAGE_PROCESSES, organisation):
        raise NotFound
    form = forms.ProcessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            process = services.vulnerable_process_create(
                actor=logged_in_user(request), organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, _("The process has been added to the inventory."))
            return HttpResponseRedirect(reverse("governance:process", args=[process.id]))
    return render(request, "governance/process_form.html", {"form": form})


@login_required
def process_detail(request: HttpRequest, id: str) -> HttpResponse:
    process = access_vulnerable_process(user=request.user, id=id, request=request)
    may_manage = has_capability(request.user, caps.MANAGE_PROCESSES, process.organisation)
    initial = {
        "risk": process.risk,
        "safeguards": process.safeguards,
        "functions": ", ".join(process.functions),
    }
    form = forms.ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_manage:
            raise NotFound
        if form.is_valid():
            try:
                services.vulnerable_process_review(
                    actor=logged_in_user(request), process=process, **form.cleaned_data
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            else:
                messages.success(request, _("The review has been recorded."))
                return HttpResponseRedirect(reverse("governance:process", args=[process.id]))
    return render(
        request,
        "governance/process_detail.html",
        {
            "process": process,
            "reviews": process.reviews.select_related("reviewer"),
            "form": form,
            "may_manage": may_manage,
            "coverage": selectors.process_coverage(processes=[process]),
        },
    )


@login_required
def checklist_view(request: HttpRequest, year: int) -> HttpResponse:
    organisation = organisation_or_404(request)
    if not may_view_checklist(request.user, organisation):
        raise NotFound
    if not 2000 <= year <= timezone.localdate().year:
        raise NotFound
    sheet = selectors.checklist_get(organisation=organisation, year=year)
    version = sheet.version if sheet else checklist.CURRENT_VERSION
    existing = {
        (a.item, a.audience): (a.answer, a.note) for a in (sheet.answers.all() if sheet else [])
    }
    mine = [
        audience
        for audience, capability in services.ANSWER_CAPABILITY.items()
        if has_capability(request.user, capability, organisation)
    ]
    labels = {
        checklist.Audience.STAFF: _("staff and executives"),
        checklist.Audience.REPRESENTATIVES: _("representatives"),
    }
    fields = [
        (
            f"{item.code}--{audience}",
            f"{item.label} ({labels[audience]})",
            existing.get((item.code, audience)),
        )
        for item in checklist.items(version)
        for audience in item.audiences
        if audience in mine
    ]
    form = forms.checklist_form(fields, request.POST or None) if fields else None
    if request.method == "POST":
        if form is None:
            raise NotFound
        if form.is_valid():
            answers = {}
            for key, _label, _initial in fields:
                value = form.cleaned_data.get(key)
                if value:
                    code, audience = key.split("--")
                    answers[(code, audience)] = (value, form.cleaned_data.get(f"{key}-note", ""))
            try:
                services.checklist_answer(
                    actor=logged_in_user(request),
                    organisation=organisation,
                    year=year,
                    answers=answers,
                )
            except ValidationError as error:
                errors_onto_form(form, error)
            except PermissionDenied:
                raise NotFound from None
            else:
                messages.success(request, _("The checklist has been saved."))
                return HttpResponseRedirect(reverse("governance:checklist", args=[year]))
    benchmark = selectors.checklist_benchmark(organisation=organisation, year=year)
    return render(
        request,
        "governance/checklist.html",
        {
            "year": year,
            "version": version,
            "form": form,
            "pairs": [(form[key], form[f"{key}-note"]) for key, _l, _i in fields] if form else [],
            "benchmark": benchmark,
            "labels": labels,
            "min_group": disclosure.THRESHOLD,
        },
    )
