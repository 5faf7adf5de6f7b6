"""Evidence files: what may be uploaded, decided on the content (never on the name).

Allowed: PNG, JPEG, WebP and HEIC/HEIF images (phone screenshots and photos) and PDF, each
recognised by its magic bytes; at most ``VIB_EVIDENCE_MAX_BYTES`` (default 10 MiB) per file
and ``MAX_FILES`` per upload. The stored file gets a random name without extension under
``MEDIA_ROOT/incidents/``; it is only ever served by the access-checked download view, as an
attachment with the sniffed type. See docs/adr/0013-evidence-files.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from vib.conf.env import env_int
from vib.core import uploads
from vib.core.errors import ValidationError

MAX_FILES = 10
MEDIA_TYPES = (uploads.PNG, uploads.JPEG, uploads.WEBP, uploads.HEIC, uploads.PDF)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# What evidence may be: images and PDF, recognised by ``vib.core.uploads.sniff_media``.
EXTENSIONS = {kind: uploads.EXTENSIONS[kind] for kind in MEDIA_TYPES}


def max_bytes() -> int:
    """The size limit per file: the setting, else ``VIB_EVIDENCE_MAX_BYTES``, else 10 MiB."""
    configured = getattr(settings, "VIB_EVIDENCE_MAX_BYTES", None)
    if configured:
        return int(configured)
    return env_int("VIB_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def sniff(head: bytes) -> str | None:
    """The media type of a file from its first bytes, when it is one we accept."""
    return uploads.sniff_media(head)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    original_name: str


def safe_name(name: str, content_type: str) -> str:
    """A harmless download name: letters, digits, dashes; the extension follows the content."""
    return uploads.safe_name(name, content_type, fallback="bewijs")


def check_file(file: IO[bytes], name: str) -> CheckedFile:
    """Check one upload; raises ``ValidationError`` naming the file when it is refused."""
    limit = max_bytes()
    file.seek(0)
    head = file.read(32)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            _(
                "%(name)s is not an allowed file: upload a photo or screenshot "
                "(PNG, JPEG, WebP, HEIC) or a PDF."
            )
            % {"name": name}
        )
    too_large = ValidationError(
        _("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": limit // 2**20}
    )
    digest = hashlib.sha256(head)
    size = len(head)
    while size <= limit and (chunk := file.read(2**20)):
        size += len(chunk)
        digest.update(chunk)
    if size > limit:
        raise too_large
    file.seek(0)
    return CheckedFile(
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        original_name=safe_name(name, content_type),
    )
