"""Reading old ``vib-backup/1`` archives (ADR 0060), read-only: nothing writes them (ADR 0136).

A magic line, a JSON header line, then frames of a 4-byte length and a Fernet token holding a
chunk number, a final flag and up to 4 MiB of a tar stream. Remove once no ``.vibbak`` is kept.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext as _

MAGIC = b"VIBBACKUP1\n"
_FRAME = struct.Struct(">I")
_CHUNK_HEAD = struct.Struct(">QB")
_MAX_TOKEN = 2 * 4 * 1024 * 1024 + 4096


class ArchiveError(Exception):
    """The archive cannot be read; the message says why (no secrets in it)."""


def fingerprint(key: str | bytes) -> str:
    """The short, non-reversible key name that ``vib-backup/1`` headers and manifests hold."""
    raw = key.encode() if isinstance(key, str) else key
    return "sha256:" + hashlib.sha256(b"vib-key-fingerprint\x00" + raw).hexdigest()[:16]


def default_key() -> str:
    """The key such archives were made with: ``VIB_BACKUP_KEY``, else the first encryption key."""
    key = os.environ.get("VIB_BACKUP_KEY", "").strip() or next(iter(settings.ENCRYPTION_KEYS), "")
    if not key:
        raise ArchiveError(_("Set VIB_BACKUP_KEY to restore a vib-backup/1 archive."))
    return str(key)


class DecryptingReader(io.BufferedIOBase):
    """The tar stream inside a ``vib-backup/1`` archive, checked chunk by chunk."""

    def __init__(self, source: BinaryIO, key: str) -> None:
        if source.read(len(MAGIC)) != MAGIC:
            raise ArchiveError(_("This is not a VIB backup archive."))
        try:
            header = json.loads(source.readline(4096))
            self._fernet = Fernet(key)
        except ValueError:
            raise ArchiveError(_("The archive header or the backup key is damaged.")) from None
        if header.get("key") != fingerprint(key):
            raise ArchiveError(
                _("This archive was made with key %(made)s; the key given is %(given)s.")
                % {"made": header.get("key"), "given": fingerprint(key)}
            )
        self._in = source
        self._buffer = b""
        self._index = 0
        self._final = False

    def _next(self) -> bool:
        if self._final:
            return False
        head = self._in.read(_FRAME.size)
        (size,) = _FRAME.unpack(head) if len(head) == _FRAME.size else (0,)
        token = self._in.read(size) if 0 < size <= _MAX_TOKEN else b""
        try:
            plain = self._fernet.decrypt(token)
        except InvalidToken:
            raise ArchiveError(_("The archive is truncated or was altered.")) from None
        index, final = _CHUNK_HEAD.unpack(plain[: _CHUNK_HEAD.size])
        if index != self._index:
            raise ArchiveError(_("The archive is truncated or was altered."))
        self._index += 1
        self._final = bool(final)
        self._buffer += plain[_CHUNK_HEAD.size :]
        if self._final and self._in.read(1):
            raise ArchiveError(_("The archive is truncated or was altered."))
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = -1 if size is None else size
        while (size < 0 or len(self._buffer) < size) and self._next():
            pass
        cut = len(self._buffer) if size < 0 else size
        data, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return data

    def finish(self) -> None:
        """Read to the end: the final chunk must have come, with only tar padding left."""
        while self._next():
            pass
        if self._buffer.strip(b"\0"):
            raise ArchiveError(_("The archive is truncated or was altered."))
