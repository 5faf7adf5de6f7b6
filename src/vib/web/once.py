"""Submit once: a form that creates something is safe against a second submit.

A reload of the page that answered a POST, the back button followed by "send" again, or a
double click all send the same form twice. Each form that creates something carries a
one-time token (a hidden field, new on every rendering of the empty form); the view claims
the token before it creates anything. The second submit of the same token finds it claimed
and creates nothing. Claims live in the cache (Redis in production, shared by all app
processes) for a day, and only a digest of the token is kept (ADR 0105).

A request without a token (an old form in an open tab, a script) is handled as before.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django import forms
from django.core.cache import cache

FIELD = "once"
TTL = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _key(scope: str, token: str) -> str:
    return f"vib:once:{scope}:{hashlib.sha256(token.encode()).hexdigest()}"


def token_of(form: forms.Form) -> str:
    token = str(form.data.get(FIELD, ""))
    return token if _TOKEN.match(token) else ""


def claim(form: forms.Form, scope: str) -> bool:
    """True when this submit may create: the token is new (or absent). Atomic (cache.add)."""
    token = token_of(form)
    return not token or cache.add(_key(scope, token), "", timeout=TTL)


def release(form: forms.Form, scope: str) -> None:
    """Give the token back when nothing was created (the input was refused)."""
    if token := token_of(form):
        cache.delete(_key(scope, token))


class SubmitOnceMixin:
    """Adds the hidden one-time token to a form; a bound form keeps the token it was sent."""

    fields: dict[str, forms.Field]
    is_bound: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=64, initial=new_token
        )
