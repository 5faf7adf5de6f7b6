"""Reads of the public registry of organisations (public data, not confidential)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q, QuerySet

from vib.core.errors import NotFound, ValidationError
from vib.organisations.models import Organisation


def organisation_list(*, tier: str | None = None, q: str | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(active=True).select_related("province")
    if tier:
        qs = qs.filter(tier=tier)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q))
    return qs.order_by("tier", "name")


def organisation_get(*, id: UUID | str) -> Organisation:
    try:
        return Organisation.objects.select_related("province").get(pk=id)
    except (Organisation.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound from None
