"""The door to the governance module's internal records: the vulnerable-process inventory
(which shows where an organisation is weak, so it is not public) and the policy checklist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vib.access.base import fetch_audited
from vib.accounts.selectors import capability_organisations
from vib.governance import capabilities as caps
from vib.governance.models import PolicyChecklist, VulnerableProcess


def vulnerable_processes_visible_to(
    user: Any, organisation: Any | None = None
) -> QuerySet[VulnerableProcess]:
    qs = VulnerableProcess.objects.filter(
        organisation__in=capability_organisations(user, caps.VIEW_PROCESSES)
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation")


def access_vulnerable_process(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> VulnerableProcess:
    return fetch_audited(
        vulnerable_processes_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="governance.vulnerableprocess",
    )


def checklists_visible_to(user: Any, organisation: Any | None = None) -> QuerySet[PolicyChecklist]:
    qs = PolicyChecklist.objects.filter(
        organisation__in=capability_organisations(user, caps.VIEW_CHECKLIST)
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def may_view_checklist(user: Any, organisation: Any) -> bool:
    return capability_organisations(user, caps.VIEW_CHECKLIST).filter(pk=organisation.pk).exists()
