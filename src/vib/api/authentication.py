"""Token authentication for machine clients: ``Authorization: Bearer vib_<prefix>_<secret>``.

Tokens are made with ``vib tokens create``; only a SHA-256 digest of the secret is stored
(``vib.accounts.models.ApiToken``). A token is refused when it is unknown, expired or
revoked (revoking sets the expiry to the moment of revocation), or when its user is inactive.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from vib.accounts.services import api_token_check

# Record the last use at most once per interval: no database write on every request.
LAST_USED_GRANULARITY = timedelta(minutes=5)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _sep, secret = header.strip().partition(" ")
        # The scheme is case-insensitive (RFC 9110 §11.1); other schemes are not ours.
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        token = api_token_check(secret) if secret and " " not in secret else None
        now = timezone.now()
        if (
            token is None
            or not token.user.is_active
            or (token.expires_at is not None and token.expires_at <= now)
        ):
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            token.last_used_at = now
            token.save(update_fields=["last_used_at"])
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token authentication in the OpenAPI document."""

    target_class = "vib.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        from vib.api.scopes import known_scopes

        scopes = ", ".join(f"`{scope}`" for scope in known_scopes())
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token made with `vib tokens create --scope …`; it expires after 90 "
                "days unless made for fewer (at most 365). A token opens only the modules and "
                "the access of its scopes: `<module>:read` for GET, `<module>:write` for "
                "POST, PUT, PATCH and DELETE (write does not include read); a request outside "
                f"them gets 403. The scopes: {scopes}. Each operation names the one it needs."
            ),
        }
