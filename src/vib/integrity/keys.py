"""Key rotation without downtime (ADR 0021).

1. **Master keys** (``VIB_ENCRYPTION_KEYS``): put the new key *first*, keep the old one after
   it, deploy, run ``vib keys rotate``: every data key is re-wrapped with the new master key.
   Then the old master key can be removed from the setting.
2. **Data keys** (``vib keys rotate --data-keys``): each organisation gets a new data key
   version, which encrypts from that moment; then every ciphertext made with an older version
   is re-encrypted in small transactions. Readers never stop: old versions keep decrypting
   until nothing refers to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from vib.core import crypto as master
from vib.integrity import crypto
from vib.integrity.fields import SealedTextField, SealedValue, seal_for
from vib.integrity.models import (
    Attachment,
    Case,
    DataKey,
    IdentityDisclosure,
    Message,
    Minutes,
    RetaliationComplaint,
)


@dataclass(frozen=True)
class Sealed:
    model: Any
    field: str
    purpose: str
    binary: bool = False


SEALED: tuple[Sealed, ...] = (
    Sealed(Case, "summary_ct", "case.summary"),
    Sealed(Case, "identity_ct", "case.identity"),
    Sealed(Message, "body_ct", "message.body"),
    Sealed(Attachment, "name_ct", "attachment.name"),
    Sealed(Attachment, "content_ct", "attachment.content", binary=True),
    Sealed(Minutes, "text_ct", "minutes.text"),
    Sealed(IdentityDisclosure, "reason_ct", "disclosure.reason"),
    Sealed(RetaliationComplaint, "description_ct", "retaliation.description"),
)


def master_rewrap() -> int:
    """Re-wrap every data key with the first master key. Idempotent."""
    fernet = master._fernet()
    count = 0
    for key in DataKey.objects.order_by("pk").iterator():
        rewrapped = fernet.rotate(key.wrapped.encode()).decode()
        DataKey.objects.filter(pk=key.pk).update(wrapped=rewrapped)
        count += 1
    crypto.clear_cache()
    return count


def _rows(spec: Sealed, organisation_id: Any, batch: int) -> Iterator[list[Any]]:
    qs = spec.model.objects.filter(organisation_id=organisation_id)
    if not spec.binary:
        qs = qs.exclude(**{spec.field: ""})
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        yield ids[start : start + batch]


def reencrypt_organisation(
    organisation_id: Any, *, batch: int = 200, progress: Callable[[int], None] | None = None
) -> int:
    """Re-encrypt every sealed value of the organisation under its newest data key."""
    active = crypto.active_version(organisation_id)
    changed = 0
    for spec in SEALED:
        for ids in _rows(spec, organisation_id, batch):
            with transaction.atomic():
                for row in spec.model.objects.select_for_update().filter(pk__in=ids):
                    token = getattr(row, spec.field)
                    if not token or crypto.version_of(token) == active:
                        continue
                    if spec.binary:
                        plain = crypto.open_bytes(organisation_id, spec.purpose, row.pk, token)
                        new: Any = crypto.seal_bytes(organisation_id, spec.purpose, row.pk, plain)
                    else:
                        text = crypto.open_text(organisation_id, spec.purpose, row.pk, token)
                        new = crypto.seal(organisation_id, spec.purpose, row.pk, text)
                    spec.model.objects.filter(pk=row.pk).update(**{spec.field: new})
                    changed += 1
            if progress:
                progress(len(ids))
    return changed


# --- other modules' sealed text columns and files (issue #15 item 5) ---------------------------

FILE_RESEALERS: list[Callable[[Any, int], int]] = []


def register_file_resealer(reseal: Callable[[Any, int], int]) -> None:
    """A module whose files are sealed with the data keys registers ``reseal(organisation_id,
    active_version) -> count`` here (in its ``AppConfig.ready``)."""
    if reseal not in FILE_RESEALERS:
        FILE_RESEALERS.append(reseal)


def sealed_columns() -> list[tuple[Any, SealedTextField]]:
    """Every ``SealedTextField`` of every installed model."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SealedTextField)
    ]


def allow_reseal() -> None:
    """Let the PostgreSQL guards of append-only tables pass a re-seal in this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('vib.reseal', 'on', true)")


def reseal_columns(organisation_id: Any, active: int, *, batch: int = 200) -> int:
    changed = 0
    for model, field in sealed_columns():
        ids = list(
            model.objects.filter(organisation_id=organisation_id)
            .exclude(**{field.attname: ""})
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), batch):
            with transaction.atomic():
                allow_reseal()
                rows = (
                    model.objects.select_for_update()
                    .filter(pk__in=ids[start : start + batch])
                    .values_list("pk", field.bind, field.attname)
                )
                for pk, bound, raw in rows:
                    if not isinstance(raw, SealedValue):
                        continue
                    sealed = raw.token.startswith(crypto.PREFIX)
                    if sealed and crypto.version_of(raw.token) == active:
                        continue
                    text = raw.open(organisation_id, bound)
                    model.objects.filter(pk=pk).update(
                        **{field.attname: seal_for(organisation_id, field.purpose, bound, text)}
                    )
                    changed += 1
    return changed


def data_keys_rotate(
    *, organisation_ids: list[Any] | None = None, batch: int = 200
) -> dict[Any, int]:
    if organisation_ids is None:
        organisation_ids = list(
            DataKey.objects.values_list("organisation_id", flat=True).distinct()
        )
    result = {}
    for organisation_id in organisation_ids:
        crypto.data_key_create(organisation_id=organisation_id)
        count = reencrypt_organisation(organisation_id, batch=batch)
        active = crypto.active_version(organisation_id)
        count += reseal_columns(organisation_id, active, batch=batch)
        for reseal in FILE_RESEALERS:
            count += reseal(organisation_id, active)
        result[organisation_id] = count
    return result
