"""Log-in pages: the local form with the organisations' SSO buttons, the second factor (a TOTP
code or a passkey), and "My security", where a user manages their second factors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from vib.accounts import passkeys, second_factor
from vib.accounts.forms import TokenForm
from vib.accounts.middleware import is_verified
from vib.accounts.selectors import identity_providers_for_login, requires_second_factor
from vib.core import ratelimit


def _address_limit() -> ratelimit.Limit:
    return ratelimit.Limit("login-fail-address", settings.LOGIN_ADDRESS_FAILURE_LIMIT, 15 * 60)


class LoginView(auth_views.LoginView):
    """The log-in form. Besides django-axes' lock-out per user name and address, failed
    log-ins are counted per client address across user names: past the limit every attempt
    from there waits ``WAIT_SECONDS`` (one wait token per address at a time), which slows
    password spraying without locking a shared office address out (ADR 0092)."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client = ratelimit.client_of(request)
        limit = _address_limit()
        if ratelimit.exceeded(limit, client):
            typed = request.POST.get("wacht", "")
            state = ratelimit.wait_state(typed)
            if state != "ok":
                token = typed if state == "early" else ratelimit.wait_token_for(client)
                text = _(
                    "Many failed log-ins have come from your network. To slow down password "
                    "guessing, wait %(seconds)s seconds and then log in again."
                ) % {"seconds": ratelimit.WAIT_SECONDS}
                context = self.get_context_data(
                    form=self.get_form(), wait_token=token or "", wait_text=text
                )
                return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            ratelimit.hit(limit, client)
        return response

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


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}"


@never_cache
@login_required
def second_factor_view(request: HttpRequest) -> HttpResponse:
    device = second_factor.confirmed_device(request.user)
    has_passkey = second_factor.has_passkey(request.user)
    if device is None and not has_passkey:
        return HttpResponseRedirect(
            _with_next(reverse("accounts:second-factor-setup"), _next(request))
        )
    form = TokenForm(request.POST or None) if device is not None else None
    if request.method == "POST" and form is not None and form.is_valid():
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
            "has_passkey": has_passkey,
            "passkey_config": passkeys.page_configuration(request, next_field="#passkey-next")
            if has_passkey
            else None,
            "demo_code": second_factor.demo_current_code(request.user),
        },
    )


@never_cache
@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    # With a factor already, this page only adds an authenticator app to a confirmed session.
    if second_factor.has_any_factor(request.user) and not is_verified(request):
        return HttpResponseRedirect(_with_next(reverse("accounts:second-factor"), _next(request)))
    if second_factor.confirmed_device(request.user) is not None:
        return HttpResponseRedirect(reverse("accounts:security"))
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
            "passkey_config": passkeys.page_configuration(request, next_field="#passkey-next"),
        },
    )


def _needs_confirmation(request: HttpRequest) -> HttpResponse | None:
    """Changing factors needs a confirmed session once the user has any (also for roles that
    do not require one: else a stolen password could replace a user's factors)."""
    if second_factor.has_any_factor(request.user) and not is_verified(request):
        return HttpResponseRedirect(
            _with_next(reverse("accounts:second-factor"), reverse("accounts:security"))
        )
    return None


@never_cache
@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    if (redirect := _needs_confirmation(request)) is not None:
        return redirect
    factors = second_factor.factors_of(request.user)
    return render(
        request,
        "accounts/security.html",
        {
            "factors": [
                {
                    "device": factor,
                    "kind": "totp" if isinstance(factor, TOTPDevice) else "passkey",
                }
                for factor in factors
            ],
            "has_totp": any(isinstance(factor, TOTPDevice) for factor in factors),
            "required": requires_second_factor(request.user),
            "next": reverse("accounts:security"),
            "passkey_config": passkeys.page_configuration(request, next_field="#passkey-next"),
        },
    )


@never_cache
@login_required
@require_POST
def factor_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if (redirect := _needs_confirmation(request)) is not None:
        return redirect
    device = second_factor.factor_for_user(request.user, kind, pk)
    if device is None:
        raise Http404
    try:
        second_factor.factor_remove(request=request, device=device)
    except second_factor.LastFactorError:
        messages.error(
            request,
            _(
                "This is your last second factor and your role requires one. "
                "Add another one first, then remove this one."
            ),
        )
    else:
        messages.success(request, _("The second factor is removed."))
    return HttpResponseRedirect(reverse("accounts:security"))
