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
from typing import IO, Any

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


# --- encryption at rest (issue #15 item 5) ------------------------------------------------------

# A sealed file starts with this marker, then the data-key ciphertext (``vib.integrity.crypto``:
# key version, nonce, AES-GCM output; associated data: organisation, purpose, evidence row).
SEALED_MAGIC = b"VIBSEAL1"
PURPOSE = "evidence.content"


def seal_content(organisation_id: object, row_id: object, data: bytes) -> bytes:
    from vib.integrity import crypto

    return SEALED_MAGIC + crypto.seal_bytes(organisation_id, PURPOSE, row_id, data)


def open_content(organisation_id: object, row_id: object, stored: bytes) -> bytes:
    """The file as uploaded. A file stored before sealing existed is returned as it is."""
    from vib.integrity import crypto

    if not stored.startswith(SEALED_MAGIC):
        return stored
    return crypto.open_bytes(organisation_id, PURPOSE, row_id, stored[len(SEALED_MAGIC) :])


def sealed_version(stored: bytes) -> int | None:
    """The data key version of a sealed file; ``None`` for a file still in clear."""
    from vib.integrity import crypto

    if not stored.startswith(SEALED_MAGIC):
        return None
    return crypto.version_of(stored[len(SEALED_MAGIC) :])


def rewrite_in_place(path: str, data: bytes) -> None:
    """Replace a stored file atomically: a reader sees the old or the new bytes, never half."""
    import os
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".sealing-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, os.stat(path).st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def reseal_files(organisation_id: Any, active: int) -> int:
    """Seal every evidence file of the organisation under the data key version ``active``
    (``vib keys rotate --data-keys``); a file still in clear is sealed too."""
    from django.db import transaction

    from vib.incidents.models import EvidenceFile, evidence_storage

    storage = evidence_storage()
    changed = 0
    ids = list(
        EvidenceFile.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            row = EvidenceFile.objects.select_for_update().filter(pk=pk).first()
            if row is None or not row.file.name or not storage.exists(row.file.name):
                continue
            path = storage.path(row.file.name)
            with open(path, "rb") as handle:
                stored = handle.read()
            if sealed_version(stored) == active:
                continue
            data = open_content(organisation_id, pk, stored)
            rewrite_in_place(path, seal_content(organisation_id, pk, data))
            changed += 1
    return changed
