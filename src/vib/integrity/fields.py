"""Text columns sealed with the organisation's data key (ADR 0021, issue #15 item 5).

``SealedTextField`` is a text column whose value is encrypted with the row's organisation data
key (``vib.integrity.crypto``: AES-GCM, the associated data binds organisation, purpose and
row). The model attribute holds the plain text: it is opened on first access (reading a list
that never shows the field costs no decryption) and sealed again on every ``save()`` and
``bulk_create()``. Nothing else writes plain text into the column: ``update()``,
``bulk_update()`` and filters on the field are refused (``SealedWriteError``), except for the
empty string (retention) and for values already sealed with ``seal_for``.

``values()`` / ``values_list()`` give ``SealedValue`` objects; open them with
``SealedValue.open(organisation_id, row_id)`` (exports and search do). A ``SealedValue`` has
no ``str()``: a forgotten one fails loudly instead of showing ciphertext.

Rows written before this field existed hold plain text without the ``g1.`` prefix; they read
as that text until the migration (or ``vib keys rotate --data-keys``) seals them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from vib.integrity import crypto


class SealedWriteError(ValueError):
    """Plain text would reach a sealed column without being sealed."""


class Sealed(str):
    """A ciphertext made by ``seal_for``: the only non-empty value the column accepts."""

    __slots__ = ()


class SealedValue:
    """A ciphertext read through ``values()``; it needs its row to be opened."""

    __slots__ = ("purpose", "token")

    def __init__(self, token: str, purpose: str) -> None:
        self.token = token
        self.purpose = purpose

    def open(self, organisation_id: Any, row_id: Any) -> str:
        return open_token(self.token, organisation_id, self.purpose, row_id)

    def __str__(self) -> str:
        raise TypeError("A sealed value must be opened with its organisation and row.")

    __format__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SealedValue({self.purpose})"


def open_token(token: str, organisation_id: Any, purpose: str, row_id: Any) -> str:
    if not token:
        return ""
    if not token.startswith(crypto.PREFIX):
        return token  # written before sealing existed; the migration seals it
    return crypto.open_text(organisation_id, purpose, row_id, token)


def seal_for(organisation_id: Any, purpose: str, row_id: Any, text: str) -> Sealed:
    return Sealed(crypto.seal(organisation_id, purpose, row_id, text or ""))


class _Attribute(DeferredAttribute):
    """The model attribute: plain text for the program, opened lazily from the column (a data
    descriptor, so it sees every read; deferred loading as Django's own attribute)."""

    field: SealedTextField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, SealedValue):
            value = value.open(instance.organisation_id, self.field.row_id(instance))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class SealedTextField(models.TextField):
    """Free text encrypted with the organisation's data key; ``bind`` names the attribute that
    identifies the row in the associated data (the primary key, or the parent's key for rows
    whose key the database assigns)."""

    descriptor_class = _Attribute

    def __init__(self, *args: Any, purpose: str = "", bind: str = "pk", **kwargs: Any) -> None:
        self.purpose = purpose
        self.bind = bind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        if self.bind != "pk":
            kwargs["bind"] = self.bind
        return name, path, args, kwargs

    def row_id(self, instance: Any) -> Any:
        return getattr(instance, self.bind)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return SealedValue(value, self.purpose)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        text = getattr(model_instance, self.attname)
        if text is None:
            return None
        return seal_for(
            model_instance.organisation_id, self.purpose, self.row_id(model_instance), str(text)
        )

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "" or isinstance(value, Sealed):
            return value
        raise SealedWriteError(
            f"{self.model.__name__}.{self.name} is sealed: write it through save(), "
            "never update(), bulk_update() or a filter on its content."
        )

    def get_lookup(self, lookup_name: str) -> Any:
        # Only "is it empty": every other comparison would run on ciphertext and find nothing.
        if lookup_name not in ("exact", "isnull"):
            raise SealedWriteError(
                f"{self.model.__name__}.{self.name} is sealed: it cannot be searched in SQL "
                f"(__{lookup_name}); open the values instead."
            )
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs: Any) -> Any:  # pragma: no cover - no model forms use it
        if self.max_length:
            kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)
