"""Reads of the integrity module. Cases themselves come only from ``vib.access.integrity``;
these functions read *within* a case already opened there, or aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone

from vib.accounts.selectors import capability_holders
from vib.integrity import capabilities as caps
from vib.integrity import codes, crypto
from vib.integrity.deadlines import Deadline, deadlines_of
from vib.integrity.models import (
    Attachment,
    Case,
    CaseMember,
    IntegritySettings,
    MeasureType,
    Message,
    Minutes,
    ViolationCategory,
)
from vib.organisations.models import Organisation


@dataclass
class FileView:
    id: Any
    name: str
    size: int
    content_type: str
    from_reporter: bool
    to_reporter: bool


@dataclass
class MessageView:
    id: Any
    at: datetime
    author_kind: str
    author: str
    body: str
    to_reporter: bool
    to_adviser: bool
    is_question: bool
    files: list[FileView] = field(default_factory=list)

    @property
    def author_label(self) -> str:
        return str(codes.Author(self.author_kind).label)

    @property
    def internal(self) -> bool:
        return not self.to_reporter


def case_summary(case: Case) -> str:
    return crypto.open_text(case.organisation_id, "case.summary", case.id, case.summary_ct)


def _file(attachment: Attachment) -> FileView:
    return FileView(
        id=attachment.id,
        name=crypto.open_text(
            attachment.organisation_id, "attachment.name", attachment.id, attachment.name_ct
        ),
        size=attachment.size,
        content_type=attachment.content_type,
        from_reporter=attachment.from_reporter,
        to_reporter=attachment.to_reporter,
    )


def attachment_content(attachment: Attachment) -> tuple[str, bytes]:
    name = crypto.open_text(
        attachment.organisation_id, "attachment.name", attachment.id, attachment.name_ct
    )
    data = crypto.open_bytes(
        attachment.organisation_id, "attachment.content", attachment.id, attachment.content_ct
    )
    return name, data


def conversation(case: Case, *, audience: str) -> list[MessageView]:
    """The messages of a case as ``audience`` ("team", "reporter", "adviser") may see them."""
    messages: QuerySet[Message] = case.messages.select_related("author")
    files: QuerySet[Attachment] = case.attachments.defer("content_ct")
    if audience == "reporter":
        messages = messages.filter(to_reporter=True)
        files = files.filter(to_reporter=True)
    elif audience == "adviser":
        messages = messages.filter(to_adviser=True)
        files = files.filter(to_adviser=True)
    by_message: dict[Any, list[FileView]] = {}
    loose: list[FileView] = []
    for attachment in files:
        view = _file(attachment)
        if attachment.message_id:
            by_message.setdefault(attachment.message_id, []).append(view)
        else:
            loose.append(view)
    result = []
    for message in messages:
        author = ""
        if message.author_kind != codes.Author.REPORTER and audience == "team" and message.author:
            author = message.author.full_name
        result.append(
            MessageView(
                id=message.id,
                at=message.created_at,
                author_kind=message.author_kind,
                author=author,
                body=crypto.open_text(
                    message.organisation_id, "message.body", message.id, message.body_ct
                ),
                to_reporter=message.to_reporter,
                to_adviser=message.to_adviser,
                is_question=message.is_question,
                files=by_message.get(message.id, []),
            )
        )
    if loose:
        result.insert(
            0,
            MessageView(
                id=None,
                at=case.received_at,
                author_kind=codes.Author.REPORTER,
                author="",
                body="",
                to_reporter=True,
                to_adviser=False,
                is_question=False,
                files=loose,
            ),
        )
    return result


def open_question(case: Case) -> bool:
    """Is the newest message to the reporter a question they have not answered yet?"""
    last = (
        case.messages.filter(
            author_kind__in=[codes.Author.HANDLER, codes.Author.REPORTER], to_reporter=True
        )
        .order_by("-created_at")
        .first()
    )
    return bool(last and last.is_question)


def minutes_of(case: Case) -> list[tuple[Minutes, str]]:
    return [
        (m, crypto.open_text(m.organisation_id, "minutes.text", m.id, m.text_ct))
        for m in Minutes.objects.filter(case=case).order_by("version")
    ]


def team_of(case: Case) -> QuerySet[CaseMember]:
    return CaseMember.objects.filter(case=case).select_related("user").order_by("role", "id")


def membership(case: Case, user: Any) -> CaseMember | None:
    return CaseMember.objects.filter(case=case, user=user).first()


def history_of(case: Case) -> QuerySet[Any]:
    return case.history.select_related("actor")


OPEN = frozenset(codes.OPEN_STATUSES)


@dataclass
class CaseRow:
    case: Case
    deadlines: list[Deadline]
    overdue: bool
    soon: bool
    today: date | None = None

    @property
    def open_deadlines(self) -> list[tuple[Deadline, bool, bool]]:
        """Each unmet deadline with its own state, so "te laat" stands beside the one passed:
        (deadline, overdue, due soon)."""
        today = self.today or timezone.localdate()
        return [(d, d.overdue(today), d.soon(today)) for d in self.deadlines if d.met_at is None]


def with_deadlines(cases: QuerySet[Case], today: date | None = None) -> list[CaseRow]:
    today = today or timezone.localdate()
    rows = []
    for case in cases:
        deadlines = deadlines_of(case) if case.is_open else []
        rows.append(
            CaseRow(
                case=case,
                deadlines=deadlines,
                overdue=any(d.overdue(today) for d in deadlines),
                soon=any(d.soon(today) for d in deadlines),
                today=today,
            )
        )
    # Stable: closed cases (no deadlines) keep the order they came in.
    rows.sort(
        key=lambda r: (
            _urgency(r.overdue, r.soon, r.deadlines, r.case.received_at)
            if r.case.is_open
            else CLOSED_LAST
        )
    )
    return rows


CLOSED_LAST = (True, True, date.max, 1, 0.0)


def _urgency(
    overdue: bool, soon: bool, deadlines: list[Deadline], received_at: datetime
) -> tuple[bool, bool, date, int, float]:
    """The work-queue order of open cases: passed deadlines first, then those due soon, then
    by the first deadline still to meet, then the oldest first; closed cases last."""
    first_due = min((d.due for d in deadlines if d.met_at is None), default=date.max)
    return (not overdue, not soon, first_due, 0, received_at.timestamp())


def queue_order(cases: QuerySet[Case], today: date | None = None) -> list[Any]:
    """The ids of ``cases`` in work-queue order (``_urgency``) over the whole list, not one
    page: a few small columns of every case, the deadlines computed as on the page. Closed
    cases follow, the most recently received first."""
    today = today or timezone.localdate()
    keyed_open, closed = [], []
    fields = ("id", "status", "received_at", "acknowledged_at", "feedback_at")
    for pk, status, received_at, acknowledged_at, feedback_at in cases.values_list(*fields):
        if status not in OPEN:
            closed.append((received_at, pk))
            continue
        found = deadlines_of(
            _Dates(
                received_at=received_at, acknowledged_at=acknowledged_at, feedback_at=feedback_at
            )
        )
        overdue = any(d.overdue(today) for d in found)
        soon = any(d.soon(today) for d in found)
        keyed_open.append((_urgency(overdue, soon, found, received_at), pk))
    keyed_open.sort(key=lambda item: item[0])
    closed.sort(key=lambda item: item[0], reverse=True)
    return [pk for _key, pk in keyed_open] + [pk for _at, pk in closed]


@dataclass(frozen=True)
class _Dates:
    received_at: Any
    acknowledged_at: Any
    feedback_at: Any


def settings_of(organisation: Organisation) -> IntegritySettings:
    found = IntegritySettings.objects.filter(organisation=organisation).first()
    return found or IntegritySettings(organisation=organisation)


def categories() -> QuerySet[ViolationCategory]:
    return ViolationCategory.objects.filter(typology__current=True).order_by("order")


def measure_types(organisation: Organisation) -> QuerySet[MeasureType]:
    return MeasureType.objects.filter(organisation=organisation, active=True)


def intake_organisations(query: str = "") -> QuerySet[Organisation]:
    from vib.organisations.selectors import organisation_list

    return organisation_list(q=query or None)


def intake_organisation(id: Any) -> Organisation:
    from vib.organisations.selectors import organisation_get

    return organisation_get(id=id)


def mailbox_files(case: Case) -> QuerySet[Attachment]:
    return case.attachments.filter(to_reporter=True).defer("content_ct")


def report_organisations(
    *, organisation: Organisation | None = None, tier: str | None = None
) -> QuerySet[Organisation]:
    if organisation is not None:
        return Organisation.objects.filter(pk=organisation.pk)
    return Organisation.objects.filter(tier=tier)


def case_message(case: Case, id: Any) -> Message | None:
    try:
        return case.messages.filter(pk=id).first()
    except (ValueError, TypeError, DjangoValidationError):
        return None


def team_candidates(case: Case) -> QuerySet[Any]:
    """People who may join the case team: the capability here, not excluded, not on it yet."""
    return (
        capability_holders(case.organisation_id, caps.HANDLE_CASES, caps.ADVISE)
        .exclude(id__in=case.exclusions.values("user_id"))
        .exclude(id__in=case.members.values("user_id"))
        .order_by("full_name")
    )
