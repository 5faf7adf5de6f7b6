"""Passkeys (WebAuthn) as a second factor: django-otp-webauthn's JSON endpoints, narrowed.

A passkey only confirms a session that is already logged in (password or SSO); it never logs
anyone in by itself (``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False``). Every outcome is
audited like the TOTP code, and the page configuration is rendered by us so the package's
scripts can load as external files under the nonce-based CSP.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential

from vib.accounts import second_factor
from vib.accounts.oidc import SESSION_MFA


def page_configuration(request: HttpRequest, *, next_field: str) -> dict[str, Any]:
    """What the package's scripts read from ``<script type="application/json"
    id="otp_webauthn_config">`` (not executed, so the CSP allows it)."""
    return {
        "autocompleteLoginFieldSelector": None,  # no passwordless log-in
        "nextFieldSelector": next_field,
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("otp_webauthn:credential-authentication-begin"),
        "completeAuthenticationUrl": reverse("otp_webauthn:credential-authentication-complete"),
        "beginRegistrationUrl": reverse("otp_webauthn:credential-registration-begin"),
        "completeRegistrationUrl": reverse("otp_webauthn:credential-registration-complete"),
    }


class _Registration:
    """Registering needs a confirmed session once the user has any factor; a session that the
    identity provider confirmed (acr/amr) counts as confirmed too."""

    request: HttpRequest

    def user_is_mfa_enrolled(self, user: Any) -> bool:
        if self.request.session.get(SESSION_MFA):
            return False
        return second_factor.has_any_factor(user)


class RegistrationBeginView(_Registration, webauthn_views.BeginCredentialRegistrationView):
    pass


class RegistrationCompleteView(_Registration, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(*args, **kwargs)
        device = WebAuthnCredential.objects.get(
            pk=json.loads(response.content)["id"], user=self.request.user
        )
        second_factor.passkey_registered(request=self.request, device=device)
        messages.success(self.request, _("Your passkey is registered."))
        return response


class AuthenticationBeginView(webauthn_views.BeginCredentialAuthenticationView):
    def check_can_authenticate(self) -> None:
        if not self.request.user.is_authenticated:
            raise exceptions.PasswordlessLoginDisabled()
        super().check_can_authenticate()


class AuthenticationCompleteView(webauthn_views.CompleteCredentialAuthenticationView):
    def check_can_authenticate(self) -> None:
        if not self.request.user.is_authenticated:
            raise exceptions.PasswordlessLoginDisabled()
        super().check_can_authenticate()

    def complete_auth(self, device: WebAuthnCredential) -> None:
        second_factor.passkey_verified(request=self.request, device=device)

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, exceptions.OTPWebAuthnApiError) and self.request.user.is_authenticated:
            second_factor.passkey_failed(request=self.request, code=exc.code)
        return super().handle_exception(exc)
