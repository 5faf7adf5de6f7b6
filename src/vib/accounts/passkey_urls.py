"""The passkey endpoints, mounted under ``tweede-factor/passkey/`` (reachable before the
session is confirmed, see ``SecondFactorMiddleware.ALLOWED_PREFIXES``). The namespace and
names are the package's, so its helpers can reverse them."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from vib.accounts import passkeys

app_name = "otp_webauthn"
urlpatterns = [
    path(
        "registratie/start/",
        passkeys.RegistrationBeginView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registratie/afronden/",
        passkeys.RegistrationCompleteView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "bevestigen/start/",
        passkeys.AuthenticationBeginView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "bevestigen/afronden/",
        passkeys.AuthenticationCompleteView.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
