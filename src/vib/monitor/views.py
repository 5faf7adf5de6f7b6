"""Thin views: the monitor dashboard, starting a report run, its progress and the download.

Runs come only from ``vib.access.monitor``, waves only from ``vib.access.surveys``.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vib.access.monitor import access_report_run, report_runs_visible_to
from vib.access.surveys import access_wave, waves_visible_to
from vib.accounts.middleware import logged_in_user
from vib.accounts.selectors import has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import NotFound
from vib.monitor import selectors, services
from vib.monitor.capabilities import RUN_REPORTS, VIEW_REPORTS
from vib.monitor.models import ReportFormat, RunStatus


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    may_run = has_capability(request.user, RUN_REPORTS)
    if not (may_run or has_capability(request.user, VIEW_REPORTS)):
        raise NotFound
    runs = list(report_runs_visible_to(request.user)[:10])
    waves = list(waves_visible_to(request.user).filter(status="closed")) if may_run else []
    latest = selectors.latest_summary()
    return render(
        request,
        "monitor/dashboard.html",
        {
            "latest": latest,
            "indicators": (latest.summary.get("indicators", []) if latest else []),
            "findings": (latest.summary.get("findings", []) if latest else []),
            "runs": runs,
            "waves": waves,
            "formats": ReportFormat.choices,
            "may_run": may_run,
            "dutch": (request.LANGUAGE_CODE or "nl").startswith("nl"),
        },
    )


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    wave = access_wave(user=request.user, id=request.POST.get("wave"), request=request)
    try:
        run = services.report_run_start(
            actor=logged_in_user(request), wave=wave, format=request.POST.get("format", "pdf")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("monitor:dashboard"))
    return HttpResponseRedirect(reverse("monitor:run", args=[run.id]))


@never_cache
@login_required
def run_detail(request: HttpRequest, id: str) -> HttpResponse:
    run = access_report_run(user=request.user, id=id, request=request)
    template = "monitor/run_detail.html#progress" if request.htmx else "monitor/run_detail.html"  # type: ignore[attr-defined]
    may_bundle = has_capability(request.user, RUN_REPORTS, run.organisation)
    return render(
        request,
        template,
        {
            "run": run,
            "live": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "may_bundle": may_bundle,
        },
    )


@login_required
def run_download(request: HttpRequest, id: str, kind: str) -> FileResponse:
    manage = kind == "bundle"
    run = access_report_run(user=request.user, id=id, request=request, manage=manage)
    path = Path(run.bundle_file if manage else run.report_file)
    if run.status != RunStatus.DONE or not path.is_file():
        raise NotFound
    audit_record(
        actor=logged_in_user(request), action=Action.EXPORT, obj=run, request=request, reason=kind
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
