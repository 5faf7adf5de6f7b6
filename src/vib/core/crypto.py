"""Field-level encryption with the keys in ``settings.ENCRYPTION_KEYS`` (Fernet, rotatable)."""

from __future__ import annotations

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    keys = settings.ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("VIB_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"VIB_ENCRYPTION_KEYS holds an invalid key: {exc}") from None


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "Encrypted data cannot be read with the configured VIB_ENCRYPTION_KEYS."
        ) from None


def decrypt_fresh(token: str, *, max_age: int) -> str:
    """Decrypt a token made by ``encrypt`` no longer than ``max_age`` seconds ago.

    Raises ``ValueError`` for a token that is too old, altered or not ours (input from a
    browser, unlike stored data, may be any of these)."""
    try:
        return _fernet().decrypt(token.encode(), ttl=max_age).decode()
    except (InvalidToken, UnicodeError):
        raise ValueError("not a fresh token of ours") from None


class EncryptedTextField(models.TextField):
    """Text stored encrypted at rest; cannot be filtered on (by design)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(str(value))
