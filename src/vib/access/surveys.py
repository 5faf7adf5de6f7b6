"""Access to survey waves. A wave's frame holds personal data (who is invited), so a wave is
opened only through this door, audited, within the organisations where the user's role grants
``surveys.view_waves`` (to look) or ``surveys.manage_waves`` (to change).

Responses are never opened one by one: they leave the module only as aggregates (dashboard)
or as the whole anonymous table (export).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vib.access.base import fetch_audited
from vib.accounts.selectors import capability_organisations
from vib.surveys.capabilities import MANAGE_WAVES, VIEW_WAVES
from vib.surveys.models import Wave


def waves_visible_to(
    user: Any, organisation: Any | None = None, *, manage: bool = False
) -> QuerySet[Wave]:
    capability = MANAGE_WAVES if manage else VIEW_WAVES
    qs = Wave.objects.filter(organisation__in=capability_organisations(user, capability))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation").order_by("-edition", "title")


def access_wave(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
    manage: bool = False,
) -> Wave:
    return fetch_audited(
        waves_visible_to(user, manage=manage),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="surveys.wave",
    )
