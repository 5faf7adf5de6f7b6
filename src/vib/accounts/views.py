"""Log-in pages: the local form with the organisations' SSO buttons, and the second factor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from vib.accounts import second_factor
from vib.accounts.forms import TokenForm
from vib.accounts.selectors import identity_providers_for_login


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["identity_providers"] = identity_providers_for_login()
        context["sso_failed"] = "sso" in self.request.GET
        context["session_expired"] = "verlopen" in self.request.GET
        return context


class LogoutView(auth_views.LogoutView):
    """Log-out also tells the browser to forget everything of this site."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:home")


@never_cache
@login_required
def second_factor_view(request: HttpRequest) -> HttpResponse:
    device = second_factor.confirmed_device(request.user)
    if device is None:
        return HttpResponseRedirect(
            reverse("accounts:second-factor-setup") + f"?next={_next(request)}"
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.totp_verify(request=request, token=form.cleaned_data["token"]):
            return HttpResponseRedirect(_next(request))
        form.add_error(
            "token", _("This code is not correct (or was used already). Try the next one.")
        )
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "next": _next(request),
            "demo_code": second_factor.demo_current_code(request.user),
        },
    )


@never_cache
@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    if second_factor.confirmed_device(request.user) is not None:
        return HttpResponseRedirect(reverse("accounts:second-factor"))
    form = TokenForm(request.POST or None)
    device = second_factor.totp_device_start(user=request.user) if request.method == "GET" else None
    if request.method == "POST":
        device = second_factor.pending_device(request.user)
        if device is None:
            return HttpResponseRedirect(reverse("accounts:second-factor-setup"))
        if form.is_valid() and second_factor.totp_device_confirm(
            request=request, device=device, token=form.cleaned_data["token"]
        ):
            messages.success(request, _("Your second factor is set up."))
            return HttpResponseRedirect(_next(request))
        if form.is_valid():
            form.add_error("token", _("This code is not correct. Scan the code again and retry."))
    assert device is not None
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr": second_factor.totp_qr_data_uri(device),
            "secret": second_factor.totp_secret_for_humans(device),
        },
    )
