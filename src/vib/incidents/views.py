"""Web views of incident registration. Thin: objects from ``vib.access``, writes by services.

A handler (``incidents.handle``) sees the full record; the reporter sees their own report in
the reporter's view; everyone else gets the site's 404 page, also for ids that exist.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from vib.access import incidents as door
from vib.access.organisations import members_visible_to, units_visible_to
from vib.accounts.middleware import logged_in_user
from vib.accounts.roles import SECTOR_AGGREGATES
from vib.accounts.selectors import has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core import disclosure
from vib.core.errors import NotFound, ValidationError
from vib.incidents import (
    capabilities,
    codes,
    evidence,
    exports,
    forms,
    selectors,
    services,
    workflow,
)
from vib.incidents.models import Incident
from vib.web import formatting, once
from vib.web.shortcuts import active_organisation, errors_onto_form, may, require_capability

PAGE_SIZE = 50
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` + 1 rows: past that the list says "more than 10,000" and
    pages up to the cap. A count over 100,000 rows of one organisation was the list's slowest
    query; nobody pages through 200 pages instead of filtering."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # Only a column of the covering index is read, so PostgreSQL counts from the index.
        rows = self.object_list.order_by().values("occurred_at")  # type: ignore[attr-defined]
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


# --- helpers -----------------------------------------------------------------------------------


def _units(request: HttpRequest, organisation: Any) -> list[tuple[Any, str]]:
    return [(unit.pk, unit.name) for unit in units_visible_to(request.user, organisation)]


FORM_FIELDS = {"files": "evidence"}  # service field → form field, where they differ


def _detail_url(incident: Any, anchor: str = "") -> str:
    url = reverse("incidents:detail", args=[incident.pk])
    return f"{url}#{anchor}" if anchor else url


def _handled(request: HttpRequest, id: Any) -> Incident:
    return door.access_handled_incident(user=request.user, id=id, request=request)


def _form_page(
    request: HttpRequest,
    incident: Incident,
    form: Any,
    *,
    title: str,
    submit: str,
    save: Callable[[dict[str, Any]], Any],
    done: str,
    anchor: str,
    multipart: bool = False,
) -> HttpResponse:
    """The shared flow of every "add or change something of an incident" page."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc, fields=FORM_FIELDS)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(_detail_url(incident, anchor))
    return render(
        request,
        "incidents/form.html",
        {
            "incident": incident,
            "form": form,
            "title": title,
            "submit": submit,
            "multipart": multipart,
            "back": _detail_url(incident, anchor),
        },
        status=400 if request.method == "POST" else 200,
    )


def _pick[T](rows: list[T], child: Any) -> T:
    for row in rows:
        if str(getattr(row, "pk", "")) == str(child):
            return row
    raise NotFound


# --- the module's start page and reporting ------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The start page: the handler's work list (overdue aftercare first) and one's own reports."""
    organisation = active_organisation(request)
    scope = door.scope_of(request.user)
    handles = organisation is not None and (scope.covers(organisation.pk) or bool(scope.units))
    worklist = None
    if handles:
        worklist = selectors.aftercare_worklist(
            door.aftercare_visible_to(request.user, organisation, scope=scope),
            door.incidents_visible_to(request.user, organisation, scope=scope),
        )
    own = list(selectors.own_incident_list(door.own_incidents_visible_to(request.user))[:20])
    return render(
        request,
        "incidents/index.html",
        {
            "worklist": worklist,
            "own": own,
            "may_report": may(request, capabilities.REPORT),
            "may_statistics": may(request, capabilities.VIEW_STATISTICS),
            "may_coordinate": may(request, capabilities.COORDINATE),
        },
    )


def _people(request: HttpRequest, organisation: Any) -> list[tuple[Any, str]]:
    seen: dict[Any, str] = {}
    for member in members_visible_to(request.user, organisation).order_by("user__full_name"):
        if member.user_id != request.user.pk and member.user.is_active:
            seen.setdefault(member.user_id, member.user.full_name or member.user.email)
    return list(seen.items())


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Report an incident: one's own, or (manager, coordinator) on behalf of someone."""
    organisation = require_capability(request, capabilities.REPORT)
    behalf = may(request, capabilities.REPORT_ON_BEHALF, organisation)
    people = _people(request, organisation) if behalf else None
    form = forms.ReportForm(
        request.POST or None,
        request.FILES or None,
        people=people,
        units=_units(request, organisation),
    )
    if request.method == "POST":
        too_big = _upload_too_large(request)
        if too_big:
            form.add_error("evidence", too_big)
        elif form.is_valid():
            data = form.cleaned_data
            person = _person(request, organisation, data.get("on_behalf_of"))
            if data.get("on_behalf_of") and person is None:
                form.add_error("on_behalf_of", _("Choose someone from the list."))
            if not form.errors and not once.claim(form, "incidents-report"):
                # Sent before (back button, double click): nothing is reported twice.
                messages.info(request, _("This report was already sent; nothing was added."))
                return HttpResponseRedirect(reverse("incidents:index"))
            if not form.errors:
                try:
                    incident = services.incident_report(
                        actor=logged_in_user(request),
                        organisation=organisation,
                        facts=services.ReportFacts(
                            occurred_at=data["occurred_at"],
                            types=data["types"],
                            channel=data["channel"],
                            platform=data["platform"],
                            severity=data["severity"],
                            place_kind=data["place_kind"],
                            location=data["location"],
                            description=data["description"],
                            unit=_unit(request, organisation, data.get("unit")),
                        ),
                        victim=services.ReportedVictim(
                            group=data["victim_group"],
                            on_behalf_of=person,
                            name=data.get("victim_name", ""),
                        ),
                        perpetrator=services.ReportedPerpetrator(
                            kind=data["perpetrator_kind"],
                            category=data["perpetrator_category"],
                            description=data["perpetrator_description"],
                        ),
                        files=data["evidence"],
                        request=request,
                    )
                except ValidationError as exc:
                    once.release(form, "incidents-report")
                    errors_onto_form(form, exc, fields=FORM_FIELDS)
                else:
                    return HttpResponseRedirect(reverse("incidents:reported", args=[incident.pk]))
    return render(
        request,
        "incidents/report.html",
        {"form": form, "behalf": behalf},
        status=400 if request.method == "POST" else 200,
    )


def _person(request: HttpRequest, organisation: Any, value: str | None) -> Any:
    if not value:
        return None
    for member in members_visible_to(request.user, organisation).filter(user_id=value):
        return member.user
    return None


def _unit(request: HttpRequest, organisation: Any, value: str | None) -> Any:
    if not value:
        return None
    for unit in units_visible_to(request.user, organisation).filter(pk=value):
        return unit
    raise ValidationError({"unit": [_("Choose a unit from the list.")]})


def _upload_too_large(request: HttpRequest) -> str:
    """Refuse an oversized upload before Django spools it to disk."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    limit = evidence.MAX_FILES * evidence.max_bytes() + 1024 * 1024
    if length > limit:
        return _("The upload is too large.")
    return ""


@login_required
def reported(request: HttpRequest, id: Any) -> HttpResponse:
    """The confirmation after a report: its reference and what happens next."""
    incident = door.access_incident(user=request.user, id=id, request=request)
    first = None
    if getattr(incident, "can_handle", False) or incident.reported_by_id == request.user.pk:
        first = next(
            (step for step in selectors.handling_record(incident).aftercare if step.is_open), None
        )
    return render(request, "incidents/reported.html", {"incident": incident, "first": first})


# --- one incident ------------------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, id: Any) -> HttpResponse:
    incident = door.access_incident(user=request.user, id=id, request=request)
    if not getattr(incident, "can_handle", False):
        return render(
            request,
            "incidents/own_detail.html",
            {
                "incident": incident,
                "history": selectors.status_history(incident),
                "evidence": list(door.own_evidence(request.user, incident)),
                "aftercare": list(door.own_aftercare(request.user, incident)),
                "evidence_form": forms.EvidenceForm(),
            },
        )
    record = selectors.handling_record(incident)
    coordinator = may(request, capabilities.COORDINATE, incident.organisation)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "record": record,
            "coordinator": coordinator,
            "targets": workflow.allowed_targets(incident.status),
            "transition_form": forms.TransitionForm(
                targets=workflow.allowed_targets(incident.status)
            ),
            "evidence_form": forms.EvidenceForm(),
            "now": timezone.now(),
        },
    )


@login_required
def facts(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    local = timezone.localtime(incident.occurred_at)
    initial = {
        "types": incident.type_values,
        "occurred_on": local.date(),
        "occurred_time": local.strftime("%H:%M"),
        "channel": incident.channel,
        "platform": incident.platform,
        "place_kind": incident.place_kind,
        "location": incident.location,
        "severity": incident.severity,
        "unit": str(incident.unit_id or ""),
        "description": incident.description,
        "damage_amount": incident.damage_amount,
        "recovery_claimed": incident.recovery_claimed,
        "recovery_received": incident.recovery_received,
    }
    form = forms.FactsForm(
        request.POST or None,
        initial=initial,
        units=_units(request, incident.organisation),
    )

    def save(data: dict[str, Any]) -> Any:
        return services.incident_update(
            incident=incident,
            actor=logged_in_user(request),
            request=request,
            types=data["types"],
            occurred_at=data["occurred_at"],
            channel=data["channel"],
            platform=data["platform"],
            place_kind=data["place_kind"],
            location=data["location"],
            severity=data["severity"],
            unit=_unit(request, incident.organisation, data.get("unit")),
            description=data["description"],
            damage_amount=data["damage_amount"],
            recovery_claimed=data["recovery_claimed"],
            recovery_received=data["recovery_received"],
        )

    return _form_page(
        request,
        incident,
        form,
        title=_("Change the facts"),
        submit=_("Save"),
        save=save,
        done=_("The incident has been changed."),
        anchor="facts",
    )


@require_POST
@login_required
def transition(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    form = forms.TransitionForm(request.POST, targets=workflow.allowed_targets(incident.status))
    if form.is_valid():
        try:
            services.incident_transition(
                incident=incident,
                actor=logged_in_user(request),
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The status is now: %(status)s.")
                % {"status": codes.Status(form.cleaned_data["to_status"]).label},
            )
    else:
        messages.error(request, _("Choose one of the statuses offered."))
    return HttpResponseRedirect(_detail_url(incident, "status"))


@login_required
def victim_add(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    form = forms.VictimForm(request.POST or None, units=_units(request, incident.organisation))

    def save(data: dict[str, Any]) -> Any:
        return services.victim_add(
            incident=incident,
            actor=logged_in_user(request),
            request=request,
            **_victim_fields(request, incident, data),
        )

    return _form_page(
        request,
        incident,
        form,
        title=_("Add a victim"),
        submit=_("Add"),
        save=save,
        done=_("The victim has been added, with a first contact due within 72 hours."),
        anchor="victims",
    )


def _victim_fields(
    request: HttpRequest, incident: Incident, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "name": data["name"],
        "group": data["group"],
        "function": data["function"],
        "unit": _unit(request, incident.organisation, data.get("unit")),
        "injury": data["injury"],
        "sick_leave_days": data["sick_leave_days"],
        "emotional_impact": data["emotional_impact"],
        "job_satisfaction_affected": data["job_satisfaction_affected"],
        "influence_on_decisions": data["influence_on_decisions"],
        "behaviour_change": data["behaviour_change"],
    }


@login_required
def victim_edit(request: HttpRequest, id: Any, child: Any) -> HttpResponse:
    incident = _handled(request, id)
    victim = _pick(selectors.handling_record(incident).victims, child)
    initial = {name: getattr(victim, name) for name in services.VICTIM_FIELDS if name != "unit"}
    initial["unit"] = str(victim.unit_id or "")
    form = forms.VictimForm(
        request.POST or None,
        initial=initial,
        units=_units(request, incident.organisation),
        name_required=False,
    )

    def save(data: dict[str, Any]) -> Any:
        return services.victim_update(
            incident=incident,
            victim_id=victim.pk,
            actor=logged_in_user(request),
            request=request,
            **_victim_fields(request, incident, data),
        )

    return _form_page(
        request,
        incident,
        form,
        title=_("Victim and consequences"),
        submit=_("Save"),
        save=save,
        done=_("The victim has been changed."),
        anchor="victims",
    )


@login_required
def witness_add(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    form = forms.WitnessForm(request.POST or None)
    return _form_page(
        request,
        incident,
        form,
        title=_("Add a witness"),
        submit=_("Add"),
        save=lambda data: services.witness_add(
            incident=incident, actor=logged_in_user(request), request=request, **data
        ),
        done=_("The witness has been added."),
        anchor="witnesses",
    )


@login_required
def perpetrator_add(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    form = forms.PerpetratorForm(request.POST or None)
    return _form_page(
        request,
        incident,
        form,
        title=_("Add a perpetrator"),
        submit=_("Add"),
        save=lambda data: services.perpetrator_add(
            incident=incident, actor=logged_in_user(request), request=request, **data
        ),
        done=_("The perpetrator has been added."),
        anchor="perpetrators",
    )


@login_required
def perpetrator_link(request: HttpRequest, id: Any) -> HttpResponse:
    """Link a perpetrator to the organisation's repeat-perpetrator register (coordinators)."""
    incident = _handled(request, id)
    if not may(request, capabilities.COORDINATE, incident.organisation):
        raise NotFound
    record = selectors.handling_record(incident)
    register = list(door.known_perpetrators_visible_to(request.user, incident.organisation))
    form = forms.LinkForm(
        request.POST or None,
        perpetrators=[(p.pk, str(p)) for p in record.perpetrators],
        known=[(k.pk, k.label) for k in register],
    )

    def save(data: dict[str, Any]) -> Any:
        known = None
        if data.get("new_label"):
            known = services.known_perpetrator_create(
                organisation=incident.organisation,
                actor=logged_in_user(request),
                label=data["new_label"],
                request=request,
            )
        elif data.get("known"):
            known = _pick(register, data["known"])
        return services.perpetrator_link(
            incident=incident,
            perpetrator_id=data["perpetrator"],
            known=known,
            actor=logged_in_user(request),
            request=request,
        )

    return _form_page(
        request,
        incident,
        form,
        title=_("Link to a repeat perpetrator"),
        submit=_("Save"),
        save=save,
        done=_("The link has been saved."),
        anchor="perpetrators",
    )


@login_required
def measure_add(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    record = selectors.handling_record(incident)
    form = forms.MeasureForm(
        request.POST or None, perpetrators=[(p.pk, str(p)) for p in record.perpetrators]
    )

    def save(data: dict[str, Any]) -> Any:
        return services.measure_add(
            incident=incident,
            actor=logged_in_user(request),
            request=request,
            kind=data["kind"],
            decided_on=data["decided_on"],
            valid_until=data["valid_until"],
            perpetrator_id=data["perpetrator"] or None,
            note=data["note"],
        )

    return _form_page(
        request,
        incident,
        form,
        title=_("Record a measure toward the perpetrator"),
        submit=_("Add"),
        save=save,
        done=_("The measure has been recorded."),
        anchor="measures",
    )


@login_required
def police_add(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    form = forms.PoliceReportForm(request.POST or None)
    return _form_page(
        request,
        incident,
        form,
        title=_("Record a police report or aangifte"),
        submit=_("Add"),
        save=lambda data: services.police_report_add(
            incident=incident, actor=logged_in_user(request), request=request, **data
        ),
        done=_("The police report has been recorded."),
        anchor="police",
    )


@login_required
def police_edit(request: HttpRequest, id: Any, child: Any) -> HttpResponse:
    incident = _handled(request, id)
    report = _pick(selectors.handling_record(incident).police_reports, child)
    initial = {name: getattr(report, name) for name in services.POLICE_FIELDS}
    form = forms.PoliceReportForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        incident,
        form,
        title=_("Police report and criminal case"),
        submit=_("Save"),
        save=lambda data: services.police_report_update(
            incident=incident,
            report_id=report.pk,
            actor=logged_in_user(request),
            request=request,
            **data,
        ),
        done=_("The police report has been changed."),
        anchor="police",
    )


@login_required
def aftercare_record(request: HttpRequest, id: Any, child: Any) -> HttpResponse:
    incident = _handled(request, id)
    step = _pick(selectors.handling_record(incident).aftercare, child)
    form = forms.AftercareRecordForm(request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        return services.aftercare_record(
            incident=incident,
            step_id=step.pk,
            actor=logged_in_user(request),
            outcome=data["outcome"],
            referral_to=data["referral_to"],
            note=data["note"],
            done_at=data["done_at"],
            request=request,
        )

    return _form_page(
        request,
        incident,
        form,
        title=_("Record aftercare: %(step)s")
        % {"step": codes.label_of(codes.AftercareKind, step.kind)},
        submit=_("Save"),
        save=save,
        done=_("The aftercare has been recorded; the next steps are planned."),
        anchor="aftercare",
    )


@login_required
def aftercare_cancel(request: HttpRequest, id: Any, child: Any) -> HttpResponse:
    incident = _handled(request, id)
    step = _pick(selectors.handling_record(incident).aftercare, child)
    form = forms.AftercareCancelForm(request.POST or None)
    return _form_page(
        request,
        incident,
        form,
        title=_("Cancel an aftercare step"),
        submit=_("Cancel the step"),
        save=lambda data: services.aftercare_cancel(
            incident=incident,
            step_id=step.pk,
            actor=logged_in_user(request),
            reason=data["reason"],
            request=request,
        ),
        done=_("The aftercare step has been cancelled."),
        anchor="aftercare",
    )


@login_required
def aftercare_plan(request: HttpRequest, id: Any) -> HttpResponse:
    incident = _handled(request, id)
    record = selectors.handling_record(incident)
    form = forms.AftercarePlanForm(
        request.POST or None, victims=[(v.pk, str(v)) for v in record.victims]
    )
    return _form_page(
        request,
        incident,
        form,
        title=_("Plan an additional contact"),
        submit=_("Plan"),
        save=lambda data: services.aftercare_add(
            incident=incident,
            victim_id=data["victim"],
            actor=logged_in_user(request),
            due_at=data["due_at"],
            note=data["note"],
            request=request,
        ),
        done=_("The contact has been planned."),
        anchor="aftercare",
    )


# Path segment → (service, the service's id keyword, section of the page to return to).
REMOVERS: dict[str, tuple[Callable[..., None], str, str]] = {
    "getuigen": (services.witness_remove, "witness_id", "witnesses"),
    "daders": (services.perpetrator_remove, "perpetrator_id", "perpetrators"),
    "maatregelen": (services.measure_remove, "measure_id", "measures"),
    "slachtoffers": (services.victim_remove, "victim_id", "victims"),
    "bewijs": (services.evidence_remove, "evidence_id", "evidence"),
}


@require_POST
@login_required
def remove(request: HttpRequest, id: Any, kind: str, child: Any) -> HttpResponse:
    """Remove a witness, perpetrator, measure, victim or evidence file (handlers)."""
    incident = _handled(request, id)
    if kind not in REMOVERS:
        raise NotFound
    remover, key, anchor = REMOVERS[kind]
    try:
        remover(incident=incident, actor=logged_in_user(request), request=request, **{key: child})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Removed."))
    return HttpResponseRedirect(_detail_url(incident, anchor))


# --- evidence ----------------------------------------------------------------------------------


@require_POST
@login_required
def evidence_add(request: HttpRequest, id: Any) -> HttpResponse:
    """Upload evidence: handlers, and the reporter to their own report."""
    incident = door.access_incident(user=request.user, id=id, request=request)
    too_big = _upload_too_large(request)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if too_big:
        messages.error(request, too_big)
    elif form.is_valid():
        try:
            added = services.evidence_add(
                incident=incident,
                actor=logged_in_user(request),
                files=form.cleaned_data["evidence"],
                request=request,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext("%(count)d file added.", "%(count)d files added.", len(added))
                % {"count": len(added)},
            )
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return HttpResponseRedirect(_detail_url(incident, "evidence"))


@login_required
def evidence_download(request: HttpRequest, id: Any) -> HttpResponseBase:
    """Serve one evidence file: access-checked, audited, as an attachment that is not cached."""
    row = door.access_evidence(user=request.user, id=id, request=request)
    try:
        data = selectors.evidence_content(row)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=row.original_name,
        content_type=row.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- the list, the export, the dashboard -------------------------------------------------------


def _filters(
    form: forms.FilterForm, request: HttpRequest, organisation: Any
) -> selectors.IncidentFilters:
    if not form.is_valid():
        return selectors.IncidentFilters()
    data = form.cleaned_data
    unit = None
    if data.get("eenheid"):
        unit = next(
            iter(units_visible_to(request.user, organisation).filter(pk=data["eenheid"])), None
        )
    return selectors.IncidentFilters(
        status=data["status"],
        types=(data["soort"],) if data["soort"] else (),
        channel=data["kanaal"],
        severity=data["ernst"],
        group=data["groep"],
        unit=unit,
        since=data["vanaf"],
        until=data["tot"],
        aftercare=data["nazorg"],
        q=data["zoek"].strip(),
    )


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """The handlers' list: filters, search, 50 rows a page, a constant number of queries."""
    organisation = active_organisation(request)
    scope = door.scope_of(request.user)
    if organisation is None or not (scope.covers(organisation.pk) or scope.units):
        raise NotFound
    units = _units(request, organisation)
    form = forms.FilterForm(request.GET or None, units=units)
    filters = _filters(form, request, organisation)
    rows = selectors.incident_list(
        door.incidents_visible_to(request.user, organisation, scope=scope),
        filters,
        organisation=organisation,
    )
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina"))
    selectors.aftercare_state(page.object_list)
    audit_record(
        actor=logged_in_user(request),
        action=Action.LIST,
        object_type="incidents.incident",
        organisation=organisation,
        request=request,
        reason=f"list page {page.number}",
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    response = render(
        request,
        "incidents/list.html#results" if partial else "incidents/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_export": may(request, capabilities.EXPORT, organisation),
        },
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    """The list (with its filters) as CSV or XLSX, streamed."""
    organisation = require_capability(request, capabilities.EXPORT)
    kind = request.GET.get("formaat", "csv")
    if kind not in ("csv", "xlsx"):
        raise NotFound
    form = forms.FilterForm(request.GET or None, units=_units(request, organisation))
    if form.errors:  # never export everything when a filter was asked but is not valid
        messages_ = "; ".join(str(m) for errors in form.errors.values() for m in errors)
        return HttpResponseBadRequest(messages_, content_type="text/plain; charset=utf-8")
    filters = _filters(form, request, organisation)
    rows = selectors.export_rows(
        selectors.filter_incidents(
            door.incidents_for_export(request.user, organisation),
            filters,
            organisation=organisation,
        )
    )
    audit_record(
        actor=logged_in_user(request),
        action=Action.EXPORT,
        object_type="incidents.incident",
        organisation=organisation,
        request=request,
        reason=f"{kind} export {request.GET.urlencode()}"[:500],
    )
    name = f"incidenten-{organisation.code}-{timezone.localdate():%Y%m%d}.{kind}"
    if kind == "csv":
        response = StreamingHttpResponse(
            exports.stream_csv(selectors.EXPORT_COLUMNS, rows),
            content_type=exports.CSV_CONTENT_TYPE,
        )
    else:
        response = StreamingHttpResponse(
            exports.stream_xlsx(selectors.EXPORT_COLUMNS, rows, sheet_name="Incidenten"),
            content_type=exports.XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store, private"
    return response


def _period(request: HttpRequest) -> tuple[forms.PeriodForm, date, date]:
    since, until = selectors.period_default()
    form = forms.PeriodForm(request.GET or None, initial={"vanaf": since, "tot": until})
    if request.GET and form.is_valid():
        since, until = form.cleaned_data["vanaf"], form.cleaned_data["tot"]
    return form, since, until


def _period_status(form: forms.PeriodForm | forms.FilterForm) -> int:
    """400 for a period that was asked but is not valid (the page then shows the default one
    with the form's errors); 200 otherwise."""
    return 400 if form.errors else 200


DIMENSION_TITLES = {
    "type": gettext_lazy("By type"),
    "channel": gettext_lazy("By channel"),
    "group": gettext_lazy("By victim group"),
    "severity": gettext_lazy("By how serious it felt"),
    "place_kind": gettext_lazy("By place"),
}

CHART_WIDTH, CHART_HEIGHT = 720, 200


def _chart(cells: list[selectors.Cell]) -> dict[str, Any]:
    """Geometry of a bar chart as SVG attributes (the CSP allows no inline styles).

    The numbers are formatted here, with a decimal point: SVG attributes are not localised.
    """
    peak = max((cell.count or 0 for cell in cells), default=0) or 1
    slot = CHART_WIDTH / max(len(cells), 1)
    bars = []
    for i, cell in enumerate(cells):
        height = (cell.count or 0) / peak * (CHART_HEIGHT - 30)
        bars.append(
            {
                "x": f"{i * slot + slot * 0.15:.1f}",
                "y": f"{CHART_HEIGHT - 20 - height:.1f}",
                "width": f"{slot * 0.7:.1f}",
                "height": f"{height:.1f}",
                "label": formatting.month(cell.label),
                "count": cell.count,
                "label_x": f"{i * slot + slot / 2:.1f}",
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "base": CHART_HEIGHT - 20,
        "label_y": CHART_HEIGHT - 5,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = require_capability(request, capabilities.VIEW_STATISTICS)
    form, since, until = _period(request)
    figures = selectors.dashboard(organisation, since=since, until=until)
    before_since, before_until = selectors.previous_period(since, until)
    before = selectors.incident_count(organisation, since=before_since, until=before_until)
    staff = figures.staff
    return render(
        request,
        "incidents/dashboard.html",
        {
            "form": form,
            "figures": figures,
            "previous": {
                "since": before_since,
                "until": before_until,
                "total": before,
                "change": figures.total - before,
                "rate": round(100 * before / staff, 2) if staff else None,
                "rate_change": round(100 * (figures.total - before) / staff, 2) if staff else None,
            },
            "months": [
                selectors.Cell(formatting.month(cell.label), cell.count, cell.share)
                for cell in figures.months
            ],
            "chart": _chart(figures.months),
            "sections": [(DIMENSION_TITLES[k], cells) for k, cells in figures.dimensions.items()],
        },
        status=_period_status(form),
    )


@login_required
def benchmark(request: HttpRequest) -> HttpResponse:
    organisation = require_capability(request, capabilities.VIEW_STATISTICS)
    form, since, until = _period(request)
    figures = selectors.benchmark(organisation, since=since, until=until)
    return render(
        request,
        "incidents/benchmark.html",
        {
            "form": form,
            "figures": figures,
            "sections": [(DIMENSION_TITLES[k], rows) for k, rows in figures.dimensions.items()],
            "small_cell": disclosure.THRESHOLD,
        },
        status=_period_status(form),
    )


@login_required
def sector(request: HttpRequest) -> HttpResponse:
    """Aggregates across all organisations, for sector analysts: no single record."""
    if not has_capability(request.user, SECTOR_AGGREGATES):
        raise NotFound
    form, since, until = _period(request)
    groups = selectors.sector_overview(since=since, until=until)
    audit_record(
        actor=logged_in_user(request),
        action=Action.READ,
        object_type="incidents.sector_aggregates",
        request=request,
        reason=f"{since}..{until}",
    )
    return render(
        request,
        "incidents/sector.html",
        {
            "form": form,
            "groups": groups,
            "since": since,
            "until": until,
            "small_cell": disclosure.THRESHOLD,
        },
        status=_period_status(form),
    )


# --- the repeat-perpetrator register ------------------------------------------------------------


@login_required
def register(request: HttpRequest) -> HttpResponse:
    organisation = require_capability(request, capabilities.COORDINATE)
    form = forms.KnownPerpetratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.known_perpetrator_create(
                organisation=organisation,
                actor=logged_in_user(request),
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            errors_onto_form(form, exc, fields=FORM_FIELDS)
        else:
            messages.success(request, _("Added to the register."))
            return HttpResponseRedirect(reverse("incidents:register"))
    rows = selectors.register_rows(door.known_perpetrators_visible_to(request.user, organisation))
    audit_record(
        actor=logged_in_user(request),
        action=Action.LIST,
        object_type="incidents.knownperpetrator",
        organisation=organisation,
        request=request,
    )
    return render(
        request,
        "incidents/register.html",
        {"form": form, "rows": rows},
        status=400 if request.method == "POST" else 200,
    )
