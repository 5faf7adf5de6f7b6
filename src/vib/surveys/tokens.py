"""Single-use invitation tokens and the two one-way digests derived from them.

The token itself exists only in the e-mail (and, encrypted, on the invitation until it is
answered, so a reminder can repeat the link). The invitation is found by one digest, the
answers in progress by another; neither digest can be computed from the other.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_digest(token: str) -> str:
    return hashlib.sha256(b"vib-survey-invitation:" + token.encode()).hexdigest()


def draft_key(token: str) -> str:
    return hashlib.sha256(b"vib-survey-draft:" + token.encode()).hexdigest()


def email_digest(email: str) -> str:
    return hashlib.sha256(b"vib-survey-email:" + email.strip().lower().encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_PATTERN.fullmatch(token))
