"""The door to integrity cases: need-to-know, tenant first, then capability, then case team.

* ``cases_visible_to`` / ``access_case`` — the case team (handlers and investigators) who
  hold ``integrity.handle_cases`` in the case's organisation today;
* ``case_list_visible_to`` — the organisation's case list for holders of
  ``integrity.view_case_list`` (never the identity or the free text: those columns are not
  even loaded);
* ``adviser_cases_visible_to`` / ``access_adviser_case`` — a confidential adviser on the case
  team, who then sees only what the reporter shared with them;
* ``access_mailbox_case`` — the reporter, holding a valid mailbox ticket (no user at all);
* ``access_attachment`` — a file of a case the user may open.

Every read is audited (``fetch_audited``); lists are audited as one *list* event.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vib.access.base import fetch_audited
from vib.accounts.selectors import capability_organisations
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import NotFound
from vib.integrity import capabilities as caps
from vib.integrity.codes import MemberRole
from vib.integrity.models import Attachment, Case

CASE_TYPE = "integrity.case"
HANDLING = (MemberRole.HANDLER, MemberRole.INVESTIGATOR)
# The columns a case list never loads.
SECRET_COLUMNS = ("summary_ct", "identity_ct", "mailbox_index", "mailbox_hash")


def cases_visible_to(user: Any, organisation: Any | None = None) -> QuerySet[Case]:
    qs = Case.objects.filter(
        organisation__in=capability_organisations(user, caps.HANDLE_CASES),
        members__user=user if getattr(user, "is_authenticated", False) else None,
        members__role__in=HANDLING,
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation", "category")


def access_case(*, user: Any, id: Any, request: Any | None = None, reason: str = "") -> Case:
    return fetch_audited(
        cases_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type=CASE_TYPE,
    )


def case_list_visible_to(
    user: Any, organisation: Any | None = None, *, request: Any | None = None
) -> QuerySet[Case]:
    """The organisation's case list for the integrity officer: no identity, no free text."""
    qs = Case.objects.filter(
        organisation__in=capability_organisations(user, caps.VIEW_CASE_LIST)
    ).defer(*SECRET_COLUMNS)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
        audit_record(
            actor=user,
            action=Action.LIST,
            object_type=CASE_TYPE,
            organisation=organisation,
            request=request,
        )
    return qs.select_related("category")


def adviser_cases_visible_to(user: Any, organisation: Any | None = None) -> QuerySet[Case]:
    qs = Case.objects.filter(
        organisation__in=capability_organisations(user, caps.ADVISE),
        members__user=user if getattr(user, "is_authenticated", False) else None,
        members__role=MemberRole.ADVISER,
    ).defer("identity_ct", "mailbox_index", "mailbox_hash")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation")


def access_adviser_case(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> Case:
    return fetch_audited(
        adviser_cases_visible_to(user),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type=CASE_TYPE,
    )


def access_mailbox_case(*, case_id: Any) -> Case:
    """The reporter's own case, for a valid mailbox ticket. Audited without actor or origin."""
    return fetch_audited(
        Case.objects.filter(mailbox_index__isnull=False).select_related("organisation"),
        user=None,
        id=case_id,
        object_type=CASE_TYPE,
        reason="mailbox",
    )


def access_attachment(
    *,
    user: Any,
    case: Case,
    id: Any,
    audience: str,
    request: Any | None = None,
) -> Attachment:
    """A file of a case already opened through this door, as the given audience sees it."""
    qs = Attachment.objects.filter(case=case)
    if audience == "reporter":
        qs = qs.filter(to_reporter=True)
    elif audience == "adviser":
        qs = qs.filter(to_adviser=True)
    elif audience != "team":
        raise NotFound
    return fetch_audited(qs, user=user, id=id, request=request, object_type="integrity.attachment")
