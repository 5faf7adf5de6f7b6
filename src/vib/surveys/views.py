"""Thin views: the researcher's waves and dashboard, and the respondent's questionnaire.

Waves come only from ``vib.access.surveys``; the respondent is anonymous and is recognised by
the token in the link alone (no log-in, no session, no address kept).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vib.access.surveys import access_wave, waves_visible_to
from vib.accounts.middleware import logged_in_user
from vib.accounts.selectors import has_capability
from vib.core.anonymity import anonymous_route
from vib.core.errors import NotFound
from vib.surveys import selectors, services
from vib.surveys.capabilities import MANAGE_WAVES, VIEW_WAVES
from vib.surveys.forms import FrameUploadForm, WaveForm
from vib.surveys.models import WaveStatus
from vib.surveys.questionnaires import Group, Instrument, Question, load_instrument, parse_answer

# --- the researcher ---------------------------------------------------------------------------


def _may_manage(request: HttpRequest) -> bool:
    organisation = getattr(request, "organisation", None)
    return organisation is not None and has_capability(request.user, MANAGE_WAVES, organisation)


@login_required
def wave_list(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    may_view = organisation is not None and has_capability(request.user, VIEW_WAVES, organisation)
    may_manage = _may_manage(request)
    if not (may_view or may_manage):
        raise NotFound
    waves = list(waves_visible_to(request.user, organisation))
    return render(request, "surveys/wave_list.html", {"waves": waves, "may_manage": may_manage})


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errors in exc.message_dict.values() for m in errors]
    return [str(m) for m in exc.messages]


@login_required
def wave_create(request: HttpRequest) -> HttpResponse:
    if not _may_manage(request):
        raise NotFound
    form = WaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_create(
                actor=logged_in_user(request),
                organisation=request.organisation,  # type: ignore[attr-defined]
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The wave has been created. Now build its frame."))
            return HttpResponseRedirect(reverse("surveys:wave", args=[wave.id]))
    return render(request, "surveys/wave_form.html", {"form": form})


def _dashboard_context(request: HttpRequest, wave: Any) -> dict[str, Any]:
    progress = selectors.wave_progress(wave=wave)
    instruments = selectors.wave_instruments(wave=wave)
    totals = selectors.progress_totals(progress)
    by_instrument = [
        (wi, instrument, totals.get(wi.code), [p for p in progress if p.instrument == wi.code])
        for wi, instrument in instruments
    ]
    return {
        "wave": wave,
        "by_instrument": by_instrument,
        "small_strata": selectors.small_strata(progress),
        "may_manage": has_capability(request.user, MANAGE_WAVES, wave.organisation),
        "live": wave.status == WaveStatus.OPEN,
    }


@login_required
def wave_detail(request: HttpRequest, id: str) -> HttpResponse:
    wave = access_wave(user=request.user, id=id, request=request)
    context = _dashboard_context(request, wave)
    context["upload_form"] = FrameUploadForm()
    return render(request, "surveys/wave_detail.html", context)


@login_required
def wave_progress_partial(request: HttpRequest, id: str) -> HttpResponse:
    """The dashboard tables alone, for htmx to refresh while the wave is in the field."""
    wave = access_wave(user=request.user, id=id, request=request)
    return render(request, "surveys/wave_detail.html#progress", _dashboard_context(request, wave))


def _managed(request: HttpRequest, id: str) -> Any:
    return access_wave(user=request.user, id=id, request=request, manage=True)


def _back(wave: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("surveys:wave", args=[wave.id]))


@require_POST
@login_required
def wave_frame_platform(request: HttpRequest, id: str) -> HttpResponse:
    wave = _managed(request, id)
    try:
        result = services.frame_from_platform(actor=logged_in_user(request), wave=wave)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(added)d people added to the frame (%(skipped)d were already in it).")
            % {"added": result.added, "skipped": result.skipped},
        )
    return _back(wave)


@require_POST
@login_required
def wave_frame_import(request: HttpRequest, id: str) -> HttpResponse:
    wave = _managed(request, id)
    form = FrameUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for message in form.errors["file"]:
            messages.error(request, str(message))
        return _back(wave)
    try:
        result = services.frame_import_csv(
            actor=logged_in_user(request), wave=wave, file=form.cleaned_data["file"]
        )
    except services.FrameImportError as exc:
        messages.error(
            request,
            ngettext(
                "Nothing was imported: the file has %(n)d problem.",
                "Nothing was imported: the file has %(n)d problems.",
                len(exc.errors),
            )
            % {"n": len(exc.errors)},
        )
        for error in exc.errors[:20]:
            messages.error(request, str(error))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(added)d people added to the frame (%(skipped)d were already in it).")
            % {"added": result.added, "skipped": result.skipped},
        )
    return _back(wave)


def _mailing(request: HttpRequest, id: str, *, reminder: bool) -> HttpResponse:
    wave = _managed(request, id)
    send = services.reminders_send if reminder else services.invitations_send
    try:
        count = send(
            actor=logged_in_user(request), wave=wave, base_url=request.build_absolute_uri("/")[:-1]
        )
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            (
                ngettext(
                    "A reminder is being sent to %(n)d person.",
                    "Reminders are being sent to %(n)d people.",
                    count,
                )
                if reminder
                else ngettext(
                    "An invitation is being sent to %(n)d person.",
                    "Invitations are being sent to %(n)d people.",
                    count,
                )
            )
            % {"n": count},
        )
    return _back(wave)


@require_POST
@login_required
def wave_invite(request: HttpRequest, id: str) -> HttpResponse:
    return _mailing(request, id, reminder=False)


@require_POST
@login_required
def wave_remind(request: HttpRequest, id: str) -> HttpResponse:
    return _mailing(request, id, reminder=True)


@require_POST
@login_required
def wave_close(request: HttpRequest, id: str) -> HttpResponse:
    wave = _managed(request, id)
    try:
        services.wave_close(actor=logged_in_user(request), wave=wave)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The wave is closed. Unfinished answers have been deleted."))
    return _back(wave)


# --- the respondent ---------------------------------------------------------------------------


def _stopped(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(
        request, "surveys/answer_stopped.html", {"title": title, "text": text}, status=status
    )


def _page_answers(
    instrument: Instrument, group: Group, answers: dict[str, Any], strata: dict[str, str], data: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read one page's answers from the form; returns (answers, errors by question id)."""
    updated = dict(answers)
    errors: dict[str, str] = {}
    for question in instrument.visible_questions(group, answers, strata):
        value, error = parse_answer(question, data)
        updated.pop(question.id, None)
        if value is not None:
            updated[question.id] = value
        if error:
            errors[question.id] = error
    return updated, errors


def _why_not_answerable(request: HttpRequest, invitation: Any) -> HttpResponse | None:
    """The page that says why this link cannot be answered (unknown, used, closed), if so."""
    if invitation is None:
        return _stopped(
            request,
            _("Link not valid"),
            _("This link is not valid. Check that you copied the whole link from the e-mail."),
            404,
        )
    if invitation.responded:
        return _stopped(
            request,
            _("Already answered"),
            _(
                "These answers have already been sent, so this link cannot be used again. "
                "Thank you for taking part!"
            ),
            410,
        )
    if not selectors.wave_answerable(wave=invitation.wave):
        return _stopped(
            request,
            _("Questionnaire closed"),
            _("This questionnaire is closed. Thank you for your interest."),
            410,
        )
    return None


@anonymous_route
@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_for_token(token)
    stopped = _why_not_answerable(request, invitation)
    if stopped is not None:
        return stopped
    assert invitation is not None
    instrument = load_instrument(invitation.instrument.key)
    strata = services.strata_of(invitation)
    draft = selectors.draft_for_token(token)
    answers: dict[str, Any] = json.loads(draft.answers) if draft else {}
    groups = instrument.visible_groups(answers, strata)
    if request.method == "GET" or request.POST.get("action") == "start":
        if request.method == "POST":
            services.draft_save(token=token, answers=answers, page=draft.page if draft else 0)
            return HttpResponseRedirect(request.path)
        if draft is None:
            return render(
                request,
                "surveys/answer_intro.html",
                {"instrument": instrument, "wave": invitation.wave},
            )
        page = min(draft.page, len(groups) - 1)
        return _render_page(
            request,
            instrument,
            groups,
            page,
            answers,
            strata,
            {},
            resumed=request.GET.get("opgeslagen") is None,
        )

    try:
        page = int(request.POST.get("page", "0"))
    except ValueError:
        page = 0
    page = max(0, min(page, len(groups) - 1))
    action = request.POST.get("action", "next")
    answers, errors = _page_answers(instrument, groups[page], answers, strata, request.POST)
    answers = instrument.prune(answers, strata)
    if action in ("previous", "stop"):
        # Keep what was valid; errors are shown again when the page is sent with "Next".
        target = page - 1 if action == "previous" else page
        services.draft_save(token=token, answers=answers, page=max(target, 0))
        if action == "stop":
            return render(request, "surveys/answer_saved.html", {"wave": invitation.wave})
        return HttpResponseRedirect(f"{request.path}?opgeslagen=1")
    if errors:
        return _render_page(request, instrument, groups, page, answers, strata, errors)
    groups = instrument.visible_groups(answers, strata)
    if page + 1 < len(groups):
        services.draft_save(token=token, answers=answers, page=page + 1)
        return HttpResponseRedirect(f"{request.path}?opgeslagen=1")
    try:
        services.response_submit(token=token, answers=answers)
    except services.AnswerError as exc:
        if exc.code == "incomplete":
            services.draft_save(token=token, answers=answers, page=0)
            messages.error(request, exc.messages[0])
            return HttpResponseRedirect(f"{request.path}?opgeslagen=1")
        return _stopped(request, _("Questionnaire closed"), exc.messages[0], 410)
    return HttpResponseRedirect(reverse("surveys:thanks"))


def _render_page(
    request: HttpRequest,
    instrument: Instrument,
    groups: list[Group],
    page: int,
    answers: dict[str, Any],
    strata: dict[str, str],
    errors: dict[str, str],
    *,
    resumed: bool = False,
) -> HttpResponse:
    group = groups[page]
    questions = [
        _question_item(q, answers.get(q.id), errors.get(q.id))
        for q in instrument.visible_questions(group, answers, strata)
    ]
    context = {
        "instrument": instrument,
        "group": group,
        "questions": questions,
        "errors": errors,
        "page": page,
        "page_number": page + 1,
        "pages": len(groups),
        "last": page + 1 == len(groups),
        "resumed": resumed and page > 0,
    }
    return render(request, "surveys/answer_page.html", context, status=400 if errors else 200)


def _choices(prefix: str, options: list[tuple[str, str]], selected: Any) -> list[dict[str, Any]]:
    chosen = {str(v) for v in selected} if isinstance(selected, list) else {str(selected)}
    return [
        {"value": value, "label": label, "id": f"{prefix}-{value}", "checked": value in chosen}
        for value, label in options
    ]


def _question_item(question: Question, value: Any, error: str | None) -> dict[str, Any]:
    """What the template needs to render one question, with the answer given so far."""
    item: dict[str, Any] = {"q": question, "error": error, "anchor": f"vraag-{question.id}"}
    options = [(o.value, str(o.label)) for o in question.options]
    if question.type == "scale":
        points = question.scale_points()
        low, high = str(question.options[0].label), str(question.options[1].label)
        options = [
            (
                str(p),
                f"{p} — {low}"
                if p == points[0]
                else f"{p} — {high}"
                if p == points[-1]
                else str(p),
            )
            for p in points
        ]
    if question.type in ("single", "scale", "multiple"):
        item["choices"] = _choices(question.id, options, value)
    elif question.type == "grid":
        given = value if isinstance(value, dict) else {}
        item["rows"] = [
            {
                "row": row,
                "name": f"{question.id}__{row.id}",
                "choices": _choices(f"{question.id}__{row.id}", options, given.get(row.id)),
            }
            for row in question.rows
        ]
    else:
        item["text"] = "" if value is None else str(value)
    return item


@anonymous_route
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/thanks.html")
