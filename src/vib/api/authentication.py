"""Token authentication for machine clients: ``Authorization: Bearer vib_…``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from vib.accounts.services import api_token_check


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header:
            return None
        scheme, _sep, secret = header.partition(" ")
        if scheme != self.keyword:
            return None
        token = api_token_check(secret.strip())
        now = timezone.now()
        if (
            token is None
            or not token.user.is_active
            or (token.expires_at is not None and token.expires_at <= now)
        ):
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        token.last_used_at = now
        token.save(update_fields=["last_used_at"])
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
