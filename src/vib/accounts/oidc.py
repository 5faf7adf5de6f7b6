"""OpenID Connect single sign-on with one provider per organisation (mozilla-django-oidc).

mozilla-django-oidc reads one provider from settings; VIB has one per organisation, so the
request view and the backend take the provider's endpoints and client from the
``IdentityProvider`` the log-in started with (its id travels in the session). PKCE and nonce
are always on. The provider proves identity only: no account is created and no role granted
unless the organisation configured that.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from vib.accounts.models import IdentityProvider, Role, RoleAssignment
from vib.accounts.selectors import in_force
from vib.accounts.services import role_assign, role_assignment_end
from vib.core.errors import NotFound

SESSION_PROVIDER = "vib_oidc_provider"
SESSION_MFA = "vib_mfa_by_idp"


def _provider(provider_id: Any) -> IdentityProvider:
    try:
        return IdentityProvider.objects.select_related("organisation").get(
            pk=provider_id, enabled=True, organisation__active=True
        )
    except (IdentityProvider.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound from None


class _ProviderSettings:
    """``get_settings`` that answers from the chosen provider first, then from settings."""

    provider: IdentityProvider | None = None

    def get_settings(self, attr: str, *args: Any) -> Any:
        if self.provider is not None and attr == "OIDC_RP_SCOPES":
            return self.provider.scopes
        if self.provider is not None and attr == "OIDC_CREATE_USER":
            return self.provider.create_users
        return import_from_settings(attr, *args)


class OrganisationOIDCRequestView(_ProviderSettings, OIDCAuthenticationRequestView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # settings hold no provider
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest, provider_id: str) -> HttpResponse:
        self.provider = _provider(provider_id)
        self.OIDC_OP_AUTH_ENDPOINT = self.provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        request.session[SESSION_PROVIDER] = str(self.provider.pk)
        return super().get(request)


class OrganisationOIDCCallbackView(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self) -> str:
        from django.urls import reverse

        return reverse("login") + "?sso=mislukt"


class OrganisationOIDCBackend(_ProviderSettings, OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or "code" not in request.GET:
            return None  # not an OIDC callback: leave it to the other backends
        provider_id = request.session.get(SESSION_PROVIDER)
        if not provider_id:
            return None
        try:
            self.provider = _provider(provider_id)
        except NotFound:
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = self.provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = self.provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = self.provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        self.OIDC_RP_CLIENT_SECRET = self.provider.client_secret
        self.OIDC_RP_SIGN_ALGO = self.provider.signing_algorithm
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        assert self.provider is not None
        if str(payload.get("iss", "")).rstrip("/") != self.provider.issuer.rstrip("/"):
            raise SuspiciousOperation("The id token was issued by another provider.")
        self._id_claims = payload
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not claims.get("email"):
            return False
        return claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> Any:
        from vib.accounts.services import user_create

        user = user_create(email=claims["email"], full_name=self._full_name(claims))
        return self.update_user(user, claims)

    def get_userinfo(self, access_token: str, id_token: str, payload: Any) -> Any:
        self._userinfo = super().get_userinfo(access_token, id_token, payload)
        return self._userinfo

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and self.request is not None:
            assert self.provider is not None
            # acr/amr from the signed id token first, else from the provider's userinfo.
            claims = {**getattr(self, "_userinfo", {}), **getattr(self, "_id_claims", payload)}
            self.request.session[SESSION_MFA] = self.provider.asserts_second_factor(claims)
        return user

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        name = self._full_name(claims)
        if name and name != user.full_name:
            user.full_name = name
            user.save(update_fields=["full_name"])
        self._sync_roles(user, claims)
        return user

    def _full_name(self, claims: dict[str, Any]) -> str:
        return str(claims.get("name") or claims.get("email", "")).strip()[:200]

    def _sync_roles(self, user: Any, claims: dict[str, Any]) -> None:
        """Only when the organisation maps a claim onto roles: make them match the claim."""
        assert self.provider is not None
        if not self.provider.role_claim:
            return
        claim = self.provider.role_claim
        values = claims.get(claim) or []
        if isinstance(values, str):
            values = [values]
        mapping = self.provider.role_mapping or {}
        wanted = {mapping[v] for v in values if v in mapping}
        organisation = self.provider.organisation
        known = set(
            Role.objects.filter(code__in=set(mapping.values())).values_list("code", flat=True)
        )
        held = RoleAssignment.objects.filter(
            in_force(), user=user, organisation=organisation, role_id__in=known, unit__isnull=True
        )
        # Through the services, so every change the provider makes is in the audit chain.
        for assignment in held.exclude(role_id__in=wanted):
            role_assignment_end(
                actor=None, assignment=assignment, reason=f"ended by single sign-on ({claim})"
            )
        current = set(held.values_list("role_id", flat=True))
        for code in sorted((wanted & known) - current):
            role_assign(
                user=user,
                role=code,
                organisation=organisation,
                channel="sso",
                reason=f"role {code} granted by single sign-on ({claim})",
            )
