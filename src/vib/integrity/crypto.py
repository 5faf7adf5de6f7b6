"""Per-organisation data keys, wrapped with the configured master keys (ADR 0021).

Every organisation has its own 256-bit data key (AES-GCM, authenticated). The data key is
stored only *wrapped* (encrypted) with the master keys of ``settings.ENCRYPTION_KEYS``
(``vib.core.crypto``, Fernet). Ciphertexts name the key version that made them, so a new
data key can be introduced and rows re-encrypted in the background while old versions still
decrypt: ``vib keys rotate`` needs no downtime.

The associated data binds every ciphertext to its organisation, its purpose (model and field)
and its row, so a ciphertext copied into another row or organisation does not decrypt.
"""

from __future__ import annotations

import base64
import os
import struct
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction

from vib.core import crypto as master

PREFIX = "g1."
NONCE = 12


class DecryptionError(Exception):
    """A ciphertext could not be opened (wrong row, tampered, or its key is gone)."""


def _aad(organisation_id: Any, purpose: str, row_id: Any) -> bytes:
    return f"{organisation_id}|{purpose}|{row_id}".encode()


@cache
def _cipher(organisation_id: str, version: int, wrapped: str) -> AESGCM:
    # Keyed by the wrapped value too: re-wrapping (master rotation) gives a new cache entry,
    # and a data key is never re-used under another version.
    return AESGCM(base64.urlsafe_b64decode(master.decrypt(wrapped)))


# Opening: the key material of a version never changes (re-wrapping changes only its
# wrapping), so a process keeps the ciphers it opened with, and reading a list of sealed texts
# costs one key query per organisation and version, not one per value.
_OPENERS: dict[tuple[str, int], AESGCM] = {}


def clear_cache() -> None:
    _cipher.cache_clear()
    _OPENERS.clear()


def _key(organisation_id: Any, version: int | None = None) -> tuple[int, AESGCM]:
    from vib.integrity.models import DataKey

    qs = DataKey.objects.filter(organisation_id=organisation_id)
    if version is None:
        row = qs.order_by("-version").values_list("version", "wrapped").first()
        if row is None:
            row = data_key_create(organisation_id=organisation_id)
    else:
        opener = _OPENERS.get((str(organisation_id), version))
        if opener is not None:
            return version, opener
        row = qs.filter(version=version).values_list("version", "wrapped").first()
        if row is None:
            raise DecryptionError(f"data key version {version} is not available")
        opener = _cipher(str(organisation_id), row[0], row[1])
        _OPENERS[(str(organisation_id), version)] = opener
        return version, opener
    return row[0], _cipher(str(organisation_id), row[0], row[1])


def data_key_create(*, organisation_id: Any) -> tuple[int, str]:
    """Add a new data key version for the organisation; it encrypts from now on."""
    from vib.integrity.models import DataKey

    for _attempt in range(3):
        latest = (
            DataKey.objects.filter(organisation_id=organisation_id)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        version = (latest or 0) + 1
        wrapped = master.encrypt(base64.urlsafe_b64encode(AESGCM.generate_key(256)).decode())
        try:
            with transaction.atomic():
                DataKey.objects.create(
                    organisation_id=organisation_id, version=version, wrapped=wrapped
                )
        except IntegrityError:  # another process made this version first
            continue
        return version, wrapped
    raise RuntimeError("could not create a data key")


def active_version(organisation_id: Any) -> int:
    return _key(organisation_id)[0]


def seal_bytes(organisation_id: Any, purpose: str, row_id: Any, data: bytes) -> bytes:
    version, cipher = _key(organisation_id)
    nonce = os.urandom(NONCE)
    body = cipher.encrypt(nonce, data, _aad(organisation_id, purpose, row_id))
    return struct.pack(">I", version) + nonce + body


def open_bytes(organisation_id: Any, purpose: str, row_id: Any, token: bytes | memoryview) -> bytes:
    token = bytes(token)
    if len(token) < 4 + NONCE + 16:
        raise DecryptionError("ciphertext too short")
    (version,) = struct.unpack(">I", token[:4])
    _version, cipher = _key(organisation_id, version)
    try:
        return cipher.decrypt(
            token[4 : 4 + NONCE], token[4 + NONCE :], _aad(organisation_id, purpose, row_id)
        )
    except InvalidTag:
        raise DecryptionError("ciphertext does not belong here or was altered") from None


def seal(organisation_id: Any, purpose: str, row_id: Any, text: str) -> str:
    """Encrypt text for one field of one row; empty text stays empty."""
    if not text:
        return ""
    raw = seal_bytes(organisation_id, purpose, row_id, text.encode())
    return PREFIX + base64.urlsafe_b64encode(raw).decode()


def open_text(organisation_id: Any, purpose: str, row_id: Any, token: str) -> str:
    if not token:
        return ""
    if not token.startswith(PREFIX):
        raise DecryptionError("not a sealed value")
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    return open_bytes(organisation_id, purpose, row_id, raw).decode()


def version_of(token: str | bytes) -> int | None:
    """The data key version a ciphertext was made with (for re-encryption)."""
    if not token:
        return None
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :]) if isinstance(token, str) else bytes(token)
    return struct.unpack(">I", raw[:4])[0]
