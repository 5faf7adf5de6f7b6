"""What every domain app's views share: the active organisation, the capability check and a
service's errors on a form. One place, so that a view in any module behaves the same way
(docs/architecture.md, "A request")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import HttpRequest

from vib.accounts.selectors import has_capability
from vib.core.errors import NotFound, ValidationError


def active_organisation(request: HttpRequest) -> Any:
    """The organisation the user works in now (``OrganisationMiddleware``), or None."""
    return getattr(request, "organisation", None)


def organisation_or_404(request: HttpRequest) -> Any:
    """The active organisation; a user without one gets the same 404 as any other refusal."""
    organisation = active_organisation(request)
    if organisation is None:
        raise NotFound
    return organisation


def may(request: HttpRequest, capability: str, organisation: Any = None) -> bool:
    """Whether the user holds ``capability`` in ``organisation`` (default: the active one)."""
    organisation = organisation if organisation is not None else active_organisation(request)
    return organisation is not None and has_capability(request.user, capability, organisation)


def require_capability(request: HttpRequest, capability: str) -> Any:
    """The active organisation, when the user holds ``capability`` there; else 404."""
    organisation = active_organisation(request)
    if not may(request, capability, organisation):
        raise NotFound
    return organisation


def errors_onto_form(
    form: forms.Form, error: ValidationError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Put a service's ``ValidationError`` on the form: on the field it names where the form
    has that field (``fields`` maps a service's field name to the form's where they differ),
    on the whole form otherwise."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = (fields or {}).get(name, name)
            form.add_error(target if target in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
