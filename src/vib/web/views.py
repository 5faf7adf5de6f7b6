"""Thin views of the shell. Confidential objects come only from ``vib.access``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vib import access
from vib.accounts.middleware import SESSION_KEY
from vib.accounts.selectors import assignments_of, organisations_of, role_codes
from vib.organisations.models import Tier
from vib.organisations.selectors import organisation_list
from vib.web.navigation import start_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    assignments = list(assignments_of(request.user))
    return render(
        request,
        "web/home.html",
        {
            "assignments": assignments,
            "roles_here": role_codes(request.user, organisation),
            "cards": start_cards(request.user, organisation),
        },
    )


@require_POST
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("organisation", "")
    mine = organisations_of(request.user)
    organisation = mine.filter(id=wanted).first() if wanted else None
    if organisation is None:
        messages.error(request, _("You hold no role in that organisation."))
    else:
        request.session[SESSION_KEY] = str(organisation.id)
        messages.success(request, _("You now work for %(name)s.") % {"name": organisation.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:home")
    return HttpResponseRedirect(target)


def organisations(request: HttpRequest) -> HttpResponse:
    tier = request.GET.get("tier") or None
    if tier not in Tier.values:
        tier = None
    query = request.GET.get("zoek", "").strip()
    page = Paginator(organisation_list(tier=tier, q=query or None), 50).get_page(
        request.GET.get("pagina")
    )
    # htmx live filtering asks for the results only; without JavaScript the whole page comes.
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    response = render(
        request,
        "web/organisations.html#results" if partial else "web/organisations.html",
        {"page": page, "tiers": Tier.choices, "tier": tier or "", "query": query},
    )
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def units(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    rows = access.units_visible_to(request.user, organisation) if organisation else []
    return render(request, "web/units.html", {"units": rows})


@login_required
def unit_detail(request: HttpRequest, id: str) -> HttpResponse:
    unit = access.access_unit(user=request.user, id=id, request=request)
    return render(request, "web/unit_detail.html", {"unit": unit})


@login_required
def members(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    rows = access.members_visible_to(request.user, organisation) if organisation else []
    return render(request, "web/members.html", {"members": rows})


@login_required
def member_detail(request: HttpRequest, id: str) -> HttpResponse:
    member = access.access_member(user=request.user, id=id, request=request)
    return render(request, "web/member_detail.html", {"member": member})


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "title": title, "text": text}
    response = render(request, "web/error.html", context, status=status)
    response.vib_error_page = True  # type: ignore[attr-defined]  # see DebugErrorPagesMiddleware
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("No access"), _("You may not open this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        _("Page not found"),
        _("This page does not exist, or you may not see it."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: the database (or the session) may be what failed.
    context = {
        "status": 500,
        "title": _("Something went wrong"),
        "text": _("An unexpected error occurred. Nothing you entered has been saved half-way."),
    }
    response = HttpResponse(loader.get_template("web/error.html").render(context), status=500)
    response.vib_error_page = True  # type: ignore[attr-defined]
    return response


@csrf_exempt
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, also from a page that is shared by every visitor (ADR 0124).

    The public register is kept as the same bytes for every anonymous visitor, so its
    language form cannot carry a per-visitor CSRF token. A browser says where a request comes
    from in ``Sec-Fetch-Site``, a header no page can set: ``same-origin`` is this site's own
    form and is accepted without a token. Anything else (another site, or a browser too old
    to send the header) must pass Django's token check as before.
    """
    if request.headers.get("Sec-Fetch-Site") != "same-origin":
        refusal = CsrfViewMiddleware(lambda _request: HttpResponse()).process_view(
            request, i18n_views.set_language, (), {}
        )
        if refusal is not None:
            return refusal
    return i18n_views.set_language(request)
