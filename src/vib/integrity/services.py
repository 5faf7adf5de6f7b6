"""All writes of the integrity module.

Every service validates before it writes (raising a translatable ``ValidationError`` and
writing nothing), locks the case it changes, keeps the yearly-report facts in step, and
leaves an audit event. Reporter actions are audited without actor or address.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor, User
from vib.accounts.selectors import capability_holders, has_capability
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core import uploads
from vib.core.anonymity import coarse_now
from vib.core.errors import ValidationError
from vib.integrity import capabilities as caps
from vib.integrity import codes, crypto, receipts, workflow
from vib.integrity.deadlines import add_months, local_date
from vib.integrity.models import (
    Attachment,
    Case,
    CaseExclusion,
    CaseMeasure,
    CaseMember,
    CaseStatusChange,
    DestructionRecord,
    IdentityDisclosure,
    IntegritySettings,
    MeasureType,
    Message,
    Minutes,
    ReportFact,
    RetaliationComplaint,
    RetentionAction,
    ViolationCategory,
)
from vib.organisations.models import Organisation

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# Recognised from the content by ``vib.core.uploads.sniff_document``, never the browser's word.
ALLOWED_TYPES = {
    uploads.PDF,
    uploads.PNG,
    uploads.JPEG,
    uploads.WEBP,
    uploads.HEIC,
    uploads.TEXT,
    uploads.DOCX,
    uploads.XLSX,
    uploads.ODT,
    uploads.EML,
}
MAX_TEXT = 20_000
CASE = "integrity.case"


@dataclass(frozen=True)
class Identity:
    name: str = ""
    email: str = ""
    phone: str = ""

    def is_empty(self) -> bool:
        return not (self.name or self.email or self.phone)

    def dumps(self) -> str:
        return json.dumps({"name": self.name, "email": self.email, "phone": self.phone})


def settings_for(organisation: Organisation) -> IntegritySettings:
    found = IntegritySettings.objects.filter(organisation=organisation).first()
    return found or IntegritySettings(organisation=organisation)


# --- helpers --------------------------------------------------------------------------------


def _seal(case: Case, purpose: str, row_id: Any, text: str) -> str:
    return crypto.seal(case.organisation_id, purpose, row_id, text)


def _check_text(text: str, field: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("Keep it under %(max)d characters.") % {"max": MAX_TEXT}})
    return text


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted attachment: its type sniffed from the content, its name made harmless."""

    name: str
    content_type: str
    data: bytes


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedUpload]:
    """Judge every upload on its content, as incident evidence is (issue #15 item 8): the
    browser's type and the file's extension are ignored; what is kept gets the sniffed type
    and a name whose extension follows it."""
    if len(files) > MAX_FILES:
        raise ValidationError({"files": _("Add at most %(max)d files.") % {"max": MAX_FILES}})
    checked = []
    for upload in files:
        if upload.size is None or upload.size > MAX_FILE_BYTES:
            raise ValidationError({"files": _("A file may be at most 10 MB.")})
        upload.seek(0)
        data = upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ValidationError({"files": _("A file may be at most 10 MB.")})
        content_type = uploads.sniff_document(data)
        if content_type not in ALLOWED_TYPES:
            raise ValidationError(
                {
                    "files": _(
                        "%(name)s is not accepted. Use PDF, an image, plain text, an e-mail "
                        "or an office document without macros."
                    )
                    % {"name": uploads.safe_stem(upload.name or "")}
                }
            )
        checked.append(
            CheckedUpload(
                name=uploads.safe_name(upload.name or "", content_type),
                content_type=content_type,
                data=data,
            )
        )
    return checked


def _attach(
    case: Case,
    files: Iterable[CheckedUpload],
    *,
    message: Message | None,
    from_reporter: bool,
    to_reporter: bool,
    to_adviser: bool = False,
) -> list[Attachment]:
    made = []
    for upload in files:
        attachment = Attachment(
            organisation_id=case.organisation_id,
            case=case,
            message=message,
            content_type=upload.content_type,
            size=len(upload.data),
            from_reporter=from_reporter,
            to_reporter=to_reporter or from_reporter,
            to_adviser=to_adviser,
        )
        attachment.name_ct = _seal(case, "attachment.name", attachment.id, upload.name)
        attachment.content_ct = crypto.seal_bytes(
            case.organisation_id, "attachment.content", attachment.id, upload.data
        )
        attachment.save()
        made.append(attachment)
    return made


def _history(
    case: Case, *, actor: Actor | None, from_status: str, note: str = "", at: Any = None
) -> None:
    CaseStatusChange.objects.create(
        case=case,
        at=at or timezone.now(),
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        note=note[:300],
    )


def _next_reference(organisation: Organisation, year: int) -> str:
    prefix = f"{year}-"
    last = (
        Case.objects.filter(organisation=organisation, reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def fact_sync(case: Case) -> None:
    """Keep the pseudonymised yearly-report facts of a case in step with the case."""
    measures = sorted(set(case.measures.values_list("measure__category", flat=True)))
    ReportFact.objects.update_or_create(
        case=case,
        defaults={
            "organisation_id": case.organisation_id,
            "year": local_date(case.received_at).year,
            "case_type": case.case_type,
            "category": case.category.report_code if case.category_id else "",  # type: ignore[union-attr]
            "investigated": bool(case.investigation)
            and case.status
            in {
                codes.Status.INVESTIGATION,
                codes.Status.FINDING,
                codes.Status.MEASURES,
                codes.Status.CLOSED,
            },
            "finding": case.finding,
            "measures": measures,
        },
    )


def _auto_team(case: Case) -> None:
    """New reports go to the organisation's integrity officers; the first is designated."""
    handlers = capability_holders(case.organisation_id, caps.HANDLE_CASES).values("id")
    officers = (
        capability_holders(case.organisation_id, caps.VIEW_CASE_LIST)
        .filter(id__in=handlers)
        .order_by("date_joined", "email")
    )
    for number, officer in enumerate(officers):
        CaseMember.objects.create(
            case=case, user=officer, role=codes.MemberRole.HANDLER, designated=number == 0
        )


def _advisers_join(case: Case) -> None:
    advisers = capability_holders(case.organisation_id, caps.ADVISE).values_list("id", flat=True)
    for user_id in advisers:
        CaseMember.objects.get_or_create(
            case=case, user_id=user_id, defaults={"role": codes.MemberRole.ADVISER}
        )


# --- intake ---------------------------------------------------------------------------------


@transaction.atomic
def report_submit(
    *,
    organisation: Organisation,
    channel: str,
    summary: str,
    identity: Identity | None = None,
    files: Sequence[UploadedFile] = (),
    wants_adviser: bool = False,
    case_type: str = codes.CaseType.REPORT,
) -> tuple[Case, str]:
    """A written report through the intake. Returns the case and the receipt code (once)."""
    identity = identity or Identity()
    config = settings_for(organisation)
    if channel not in config.accepted_channels():
        raise ValidationError({"channel": _("This organisation does not accept this channel.")})
    if case_type not in codes.CaseType.values:
        raise ValidationError({"case_type": _("Choose a valid type.")})
    summary = _check_text(summary, "summary")
    if channel == codes.Channel.ANONYMOUS and not identity.is_empty():
        raise ValidationError(
            {"name": _("Leave your name and contact details empty for an anonymous report.")}
        )
    if channel != codes.Channel.ANONYMOUS and not identity.name.strip():
        raise ValidationError({"name": _("Give your name for a named or confidential report.")})
    checked = _check_files(files)
    code = receipts.generate()
    # The day only, on every row the report makes: a precise time could be matched with the
    # proxy's access log or the reporter's other traces (ADR 0090). Deadlines count in days.
    stamp = coarse_now()
    case = Case(
        organisation=organisation,
        channel=channel,
        case_type=case_type,
        received_at=stamp,
        mailbox_index=receipts.index(code),
        mailbox_hash=receipts.slow_hash(code),
    )
    case.reference = _next_reference(organisation, local_date(case.received_at).year)
    case.summary_ct = _seal(case, "case.summary", case.id, summary)
    if not identity.is_empty():
        case.identity_ct = _seal(case, "case.identity", case.id, identity.dumps())
    case.save()
    _history(case, actor=None, from_status="", at=stamp)
    _auto_team(case)
    if wants_adviser:
        _advisers_join(case)
    _attach(case, checked, message=None, from_reporter=True, to_reporter=True, to_adviser=False)
    fact_sync(case)
    Case.objects.filter(pk=case.pk).update(created_at=stamp, updated_at=stamp)
    case.created_at = case.updated_at = stamp
    CaseMember.objects.filter(case=case).update(added_at=stamp)
    Attachment.objects.filter(case=case).update(created_at=stamp, updated_at=stamp)
    audit_record(actor=None, action=Action.CREATE, obj=case, channel="intake")
    return case, code


@transaction.atomic
def report_record(
    *,
    actor: Actor,
    organisation: Organisation,
    channel: str,
    minutes: str,
    identity: Identity | None = None,
    case_type: str = codes.CaseType.REPORT,
) -> tuple[Case, str]:
    """An oral report recorded by a handler as minutes the reporter will check and sign off."""
    if not has_capability(actor, caps.HANDLE_CASES, organisation):
        raise ValidationError(_("You may not record reports for this organisation."))
    config = settings_for(organisation)
    if not config.accept_oral:
        raise ValidationError({"form": _("This organisation does not accept oral reports.")})
    case, code = report_submit(
        organisation=organisation,
        channel=channel,
        summary=minutes,
        identity=identity,
        case_type=case_type,
    )
    case.form = codes.Form.ORAL
    case.save(update_fields=["form", "updated_at"])
    CaseMember.objects.update_or_create(
        case=case, user=actor, defaults={"role": codes.MemberRole.HANDLER}
    )
    if not CaseMember.objects.filter(case=case, designated=True).exists():
        CaseMember.objects.filter(case=case, user=actor).update(designated=True)
    minutes_record(case=case, actor=actor, text=minutes)
    return case, code


# --- the mailbox ----------------------------------------------------------------------------


def mailbox_find(typed: str) -> Case | None:
    """The case of a receipt code, or None. Always spends one slow hash, found or not."""
    code = receipts.normalise(typed)
    if code is None:
        receipts.dummy_verify("0" * receipts.LENGTH)
        return None
    indexes = receipts.candidate_indexes(code)
    case = Case.objects.filter(mailbox_index__in=indexes).first()
    if case is None:
        receipts.dummy_verify(code)
        return None
    if not receipts.verify(code, case.mailbox_hash):
        return None
    if case.mailbox_index != indexes[0]:  # found under a fallback secret key: re-index
        Case.objects.filter(pk=case.pk).update(mailbox_index=indexes[0])
    return case


@transaction.atomic
def mailbox_message_add(
    *, case: Case, body: str, files: Sequence[UploadedFile] = (), to_adviser: bool = False
) -> Message:
    """The reporter writes in the mailbox (answers a question, adds information or files)."""
    body = _check_text(body, "body", required=not files)
    checked = _check_files(files)
    case = _lock(case)
    if case.mailbox_index is None:
        raise ValidationError(_("This mailbox is closed."))
    message = Message(
        organisation_id=case.organisation_id,
        case=case,
        author_kind=codes.Author.REPORTER,
        to_reporter=True,
        to_adviser=to_adviser,
    )
    message.body_ct = _seal(case, "message.body", message.id, body or _("(files added)"))
    # The day, or just after the newest message: the conversation keeps its order, the
    # reporter's visit leaves no time (ADR 0090).
    newest = (
        Message.objects.filter(case=case)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    stamp = coarse_now(after=newest)
    message.save()
    _attach(
        case, checked, message=message, from_reporter=True, to_reporter=True, to_adviser=to_adviser
    )
    Message.objects.filter(pk=message.pk).update(created_at=stamp, updated_at=stamp)
    message.created_at = message.updated_at = stamp
    Attachment.objects.filter(message=message).update(created_at=stamp, updated_at=stamp)
    audit_record(actor=None, action=Action.CREATE, obj=message, channel="mailbox")
    return message


@transaction.atomic
def minutes_sign_off(*, case: Case, minutes: Minutes) -> Minutes:
    if minutes.case_id != case.id:
        raise ValidationError(_("These minutes belong to another report."))
    latest = Minutes.objects.filter(case=case).order_by("-version").first()
    if latest is None or latest.pk != minutes.pk:
        raise ValidationError(_("Only the latest version of the minutes can be signed off."))
    if minutes.signed_off_at is not None:
        raise ValidationError(_("You have already signed off these minutes."))
    minutes.signed_off_at = coarse_now()  # the reporter's act: the day only (ADR 0090)
    Minutes.objects.filter(pk=minutes.pk).update(signed_off_at=minutes.signed_off_at)
    audit_record(
        actor=None, action=Action.UPDATE, obj=minutes, channel="mailbox", reason="sign-off"
    )
    return minutes


# --- case handling --------------------------------------------------------------------------


def _require_team(case: Case, actor: Actor, *, roles: Iterable[str] | None = None) -> CaseMember:
    member = CaseMember.objects.filter(case=case, user=actor).first()
    if member is None or (roles is not None and member.role not in roles):
        raise ValidationError(_("You are not on the team of this case."))
    if not has_capability(actor, caps.HANDLE_CASES, case.organisation):
        raise ValidationError(_("You may not handle cases of this organisation."))
    return member


HANDLING = (codes.MemberRole.HANDLER, codes.MemberRole.INVESTIGATOR)


@transaction.atomic
def message_add(
    *,
    case: Case,
    actor: Actor,
    body: str,
    to_reporter: bool = False,
    to_adviser: bool = False,
    is_question: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Message:
    """A handler writes to the reporter, or an internal note (hidden from the reporter)."""
    body = _check_text(body, "body")
    checked = _check_files(files)
    case = _lock(case)
    _require_team(case, actor, roles=HANDLING)
    if is_question and not to_reporter:
        raise ValidationError({"is_question": _("A question must be sent to the reporter.")})
    if to_reporter and case.mailbox_index is None and case.channel == codes.Channel.ANONYMOUS:
        raise ValidationError(_("The mailbox of this report is closed."))
    message = Message(
        organisation_id=case.organisation_id,
        case=case,
        author_kind=codes.Author.HANDLER,
        author=actor,
        to_reporter=to_reporter,
        to_adviser=to_adviser,
        is_question=is_question,
    )
    message.body_ct = _seal(case, "message.body", message.id, body)
    message.save()
    _attach(
        case,
        checked,
        message=message,
        from_reporter=False,
        to_reporter=to_reporter,
        to_adviser=to_adviser,
    )
    if (
        to_reporter
        and case.acknowledged_at is not None
        and case.feedback_at is None
        and (case.status not in {codes.Status.RECEIVED, codes.Status.ACKNOWLEDGED})
    ):
        # A message to the reporter after triage counts as feedback on the follow-up.
        case.feedback_at = message.created_at
        case.save(update_fields=["feedback_at", "updated_at"])
    audit_record(actor=actor, action=Action.CREATE, obj=message)
    return message


@transaction.atomic
def message_share(*, case: Case, actor: Actor, message: Message) -> Message:
    """Share an internal note (and its files) with the reporter."""
    _require_team(case, actor, roles=HANDLING)
    if message.case_id != case.id:
        raise ValidationError(_("This message belongs to another case."))
    message.to_reporter = True
    message.save(update_fields=["to_reporter", "updated_at"])
    message.attachments.update(to_reporter=True)
    audit_record(actor=actor, action=Action.UPDATE, obj=message, reason="shared with reporter")
    return message


CLASSIFICATION_FIELDS = {
    "category",
    "subject_kind",
    "subject_function",
    "subject_tier",
    "vulnerable_process",
    "triage",
    "investigation",
    "finding",
    "aangifte",
}


@transaction.atomic
def case_classify(*, case: Case, actor: Actor, **values: Any) -> Case:
    """Set the classification fields (category, subject, triage outcome, finding, …)."""
    unknown = set(values) - CLASSIFICATION_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
    case = _lock(case)
    _require_team(case, actor, roles=HANDLING)
    if not case.is_open:
        raise ValidationError(_("A closed case cannot be changed."))
    choice_fields = {
        "subject_kind": codes.SubjectKind,
        "subject_tier": codes.SubjectTier,
        "vulnerable_process": codes.VulnerableProcess,
        "triage": codes.Triage,
        "investigation": codes.InvestigationKind,
        "finding": codes.Finding,
    }
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name in choice_fields and value not in ("", *choice_fields[name].values):
            errors[name] = _("Choose a valid option.")
    if "category" in values and values["category"] is not None:
        category = values["category"]
        if not isinstance(category, ViolationCategory):
            category = ViolationCategory.objects.filter(pk=category).first()
            if category is None:
                errors["category"] = _("Choose a valid option.")
        values["category"] = category
    if len(values.get("subject_function") or "") > 100:
        errors["subject_function"] = _("Keep it under %(max)d characters.") % {"max": 100}
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(case, name, value)
    case.full_clean(exclude=["summary_ct", "identity_ct", "mailbox_hash"])
    case.save()
    fact_sync(case)
    audit_record(actor=actor, action=Action.UPDATE, obj=case, reason="classification")
    return case


def _outcome(case: Case) -> str:
    if case.finding == codes.Finding.FOUNDED:
        return codes.Outcome.FOUNDED
    if case.finding:
        return codes.Outcome.UNFOUNDED
    return codes.Outcome.NO_INVESTIGATION


_MISSING_MESSAGES = {
    "triage_inquiry": lambda: _("Set the triage outcome to preliminary inquiry first."),
    "investigation": lambda: _("Choose an internal or external investigator first."),
    "finding": lambda: _("Record the finding first."),
    "finding_founded": lambda: _("Measures follow only a founded finding."),
    "triage_closing": lambda: _(
        "Record a triage outcome that ends the case (outside scope, advice only, forward)."
    ),
    "forwarded_to": lambda: _("Forward the report to an outside authority first."),
    "measures": lambda: _("Record at least one measure (or 'no measure') first."),
    "founded_needs_measures": lambda: _("A founded finding is followed by measures."),
}


@transaction.atomic
def case_transition(*, case: Case, actor: Actor, target: str, note: str = "") -> Case:
    case = _lock(case)
    _require_team(case, actor, roles=HANDLING)
    if target not in workflow.allowed(case.case_type, case.status):
        raise ValidationError(
            {
                "target": _("A case cannot go from %(current)s to %(target)s.")
                % {
                    "current": codes.Status(case.status).label,
                    "target": codes.Status(target).label
                    if target in codes.Status.values
                    else target,
                }
            }
        )
    missing = workflow.requirements(case, target)
    if (
        target == codes.Status.CLOSED
        and case.status == codes.Status.FINDING
        and (case.finding == codes.Finding.FOUNDED)
    ):
        missing.append("founded_needs_measures")
    if (
        target == codes.Status.CLOSED
        and case.status == codes.Status.MEASURES
        and not (case.measures.exists())
    ):
        missing.append("measures")
    if missing:
        raise ValidationError({"target": [str(_MISSING_MESSAGES[m]()) for m in missing]})
    previous = case.status
    now = timezone.now()
    case.status = target
    if target == codes.Status.ACKNOWLEDGED:
        case.acknowledged_at = now
    if target == codes.Status.CLOSED:
        case.closed_at = now
        case.outcome = _outcome(case)
        months = settings_for(case.organisation).retention_months(case.outcome)
        case.retain_until = add_months(local_date(now), months)
        if case.feedback_at is None:
            case.feedback_at = now
    case.save()
    _history(case, actor=actor, from_status=previous, note=note)
    if target in {codes.Status.ACKNOWLEDGED, codes.Status.CLOSED}:
        text = (
            _("We have received your report and will assess it. Reference: %(ref)s.")
            if target == codes.Status.ACKNOWLEDGED
            else _("Your report has been dealt with and the case is closed. Reference: %(ref)s.")
        ) % {"ref": case.reference}
        notice = Message(
            organisation_id=case.organisation_id,
            case=case,
            author_kind=codes.Author.SYSTEM,
            to_reporter=True,
        )
        notice.body_ct = _seal(case, "message.body", notice.id, note.strip() or text)
        notice.save()
    fact_sync(case)
    audit_record(actor=actor, action=Action.TRANSITION, obj=case, reason=f"{previous} → {target}")
    return case


@transaction.atomic
def case_forward(*, case: Case, actor: Actor, authority: str, note: str = "") -> Case:
    """Forward to a competent outside authority; the reporter is told in the mailbox."""
    if authority not in codes.Authority.values:
        raise ValidationError({"authority": _("Choose a valid option.")})
    case = _lock(case)
    _require_team(case, actor, roles=HANDLING)
    if case.status != codes.Status.TRIAGE:
        raise ValidationError({"authority": _("A report is forwarded at triage.")})
    case.triage = codes.Triage.FORWARD
    case.forwarded_to = authority
    case.forwarded_at = timezone.now()
    case.save()
    notice = Message(
        organisation_id=case.organisation_id,
        case=case,
        author_kind=codes.Author.SYSTEM,
        to_reporter=True,
    )
    text = _("Your report has been forwarded to %(authority)s, which is competent to deal with it.")
    notice.body_ct = _seal(
        case,
        "message.body",
        notice.id,
        (text % {"authority": codes.Authority(authority).label}) + (f"\n\n{note}" if note else ""),
    )
    notice.save()
    audit_record(actor=actor, action=Action.UPDATE, obj=case, reason=f"forwarded to {authority}")
    return case


@transaction.atomic
def team_add(
    *, case: Case, actor: Actor, member: User, role: str, designated: bool = False
) -> CaseMember:
    """Put someone on the case team. Named persons and declared conflicts are refused."""
    case = _lock(case)
    if not has_capability(actor, caps.VIEW_CASE_LIST, case.organisation):
        _require_team(case, actor, roles=[codes.MemberRole.HANDLER])
    if role not in codes.MemberRole.values:
        raise ValidationError({"role": _("Choose a valid option.")})
    needed = caps.ADVISE if role == codes.MemberRole.ADVISER else caps.HANDLE_CASES
    if not has_capability(member, needed, case.organisation):
        raise ValidationError({"member": _("This person may not take this role in this case.")})
    if CaseExclusion.objects.filter(case=case, user=member).exists():
        raise ValidationError(
            {"member": _("This person is named in the report or declared a conflict of interest.")}
        )
    if designated and role != codes.MemberRole.HANDLER:
        raise ValidationError({"designated": _("Only a handler can be the designated handler.")})
    if designated:
        CaseMember.objects.filter(case=case, designated=True).update(designated=False)
    try:
        with transaction.atomic():
            created = CaseMember.objects.create(
                case=case, user=member, role=role, designated=designated
            )
    except IntegrityError:
        raise ValidationError({"member": _("This person is already on the team.")}) from None
    audit_record(actor=actor, action=Action.UPDATE, obj=case, reason=f"team + {member.pk} ({role})")
    return created


@transaction.atomic
def exclusion_add(*, case: Case, actor: Actor, person: User, reason: str) -> CaseExclusion:
    """Keep a person out of the case team (and remove them from it)."""
    if reason not in codes.ExclusionReason.values:
        raise ValidationError({"reason": _("Choose a valid option.")})
    case = _lock(case)
    if person.pk != actor.pk:  # anyone may declare their own conflict; others need the team
        _require_team(case, actor, roles=HANDLING)
    elif not CaseMember.objects.filter(case=case, user=actor).exists():
        raise ValidationError(_("You are not on the team of this case."))
    exclusion, _created = CaseExclusion.objects.get_or_create(
        case=case, user=person, defaults={"reason": reason}
    )
    CaseMember.objects.filter(case=case, user=person).delete()
    audit_record(actor=actor, action=Action.UPDATE, obj=case, reason=f"exclusion {person.pk}")
    return exclusion


@transaction.atomic
def identity_reveal(*, case: Case, actor: Actor, reason: str, request: Any = None) -> Identity:
    """Show the reporter's identity to the designated handler, with a reason, on the record."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Give a reason of at least 10 characters.")})
    member = _require_team(case, actor, roles=[codes.MemberRole.HANDLER])
    if not member.designated:
        raise ValidationError(_("Only the designated handler may see the reporter's identity."))
    if not case.identity_ct:
        raise ValidationError(_("This report was made anonymously."))
    disclosure = IdentityDisclosure(
        organisation_id=case.organisation_id, case=case, user=actor, kind=codes.RevealKind.REVEAL
    )
    disclosure.reason_ct = _seal(case, "disclosure.reason", disclosure.id, reason)
    disclosure.save()
    audit_record(
        actor=actor,
        action=Action.READ,
        object_type="integrity.identity",
        object_id=str(case.pk),
        organisation=case.organisation,
        request=request,
        reason=reason,
    )
    data = json.loads(
        crypto.open_text(case.organisation_id, "case.identity", case.id, case.identity_ct)
    )
    return Identity(**data)


@transaction.atomic
def identity_disclose_forced(
    *, case: Case, actor: Actor, reason: str, recipient: str, notice: str
) -> IdentityDisclosure:
    """Record a legally forced disclosure; the reporter is told first, in the mailbox."""
    reason = _check_text(reason, "reason")
    notice = _check_text(notice, "notice")
    recipient = _check_text(recipient, "recipient")[:200]
    member = _require_team(case, actor, roles=[codes.MemberRole.HANDLER])
    if not member.designated:
        raise ValidationError(_("Only the designated handler may disclose the identity."))
    told = Message(
        organisation_id=case.organisation_id,
        case=case,
        author_kind=codes.Author.HANDLER,
        author=actor,
        to_reporter=True,
    )
    told.body_ct = _seal(case, "message.body", told.id, notice)
    told.save()
    disclosure = IdentityDisclosure(
        organisation_id=case.organisation_id,
        case=case,
        user=actor,
        kind=codes.RevealKind.FORCED,
        recipient=recipient,
        notice=told,
    )
    disclosure.reason_ct = _seal(case, "disclosure.reason", disclosure.id, reason)
    disclosure.save()
    audit_record(actor=actor, action=Action.EXPORT, obj=case, reason=f"forced disclosure: {reason}")
    return disclosure


@transaction.atomic
def minutes_record(*, case: Case, actor: Actor, text: str) -> Minutes:
    text = _check_text(text, "text")
    _require_team(case, actor, roles=HANDLING)
    version = (case.minutes.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    minutes = Minutes(
        organisation_id=case.organisation_id, case=case, version=version, recorded_by=actor
    )
    minutes.text_ct = _seal(case, "minutes.text", minutes.id, text)
    minutes.save()
    audit_record(actor=actor, action=Action.CREATE, obj=minutes)
    return minutes


@transaction.atomic
def measure_add(*, case: Case, actor: Actor, measure: MeasureType) -> CaseMeasure:
    case = _lock(case)
    _require_team(case, actor, roles=HANDLING)
    if measure.organisation_id != case.organisation_id or not measure.active:
        raise ValidationError({"measure": _("Choose a valid option.")})
    if case.status != codes.Status.MEASURES:
        raise ValidationError({"measure": _("Measures are recorded after a founded finding.")})
    taken = CaseMeasure.objects.create(case=case, measure=measure)
    fact_sync(case)
    audit_record(actor=actor, action=Action.UPDATE, obj=case, reason=f"measure {measure.category}")
    return taken


@transaction.atomic
def measure_type_create(*, organisation: Organisation, name: str, category: str) -> MeasureType:
    name = _check_text(name, "name")[:150]
    if category not in codes.MeasureCategory.values:
        raise ValidationError({"category": _("Choose a valid option.")})
    measure, _created = MeasureType.objects.get_or_create(
        organisation=organisation, name=name, defaults={"category": category}
    )
    return measure


@transaction.atomic
def retaliation_record(
    *, case: Case, actor: Actor, kinds: Sequence[str], description: str = ""
) -> RetaliationComplaint:
    if not kinds or any(kind not in codes.Retaliation.values for kind in kinds):
        raise ValidationError({"kinds": _("Choose at least one form of retaliation.")})
    description = _check_text(description, "description", required=False)
    _require_team(case, actor, roles=HANDLING)
    complaint = RetaliationComplaint(
        organisation_id=case.organisation_id, case=case, kinds=sorted(set(kinds)), recorded_by=actor
    )
    complaint.description_ct = _seal(case, "retaliation.description", complaint.id, description)
    complaint.save()
    audit_record(actor=actor, action=Action.CREATE, obj=complaint)
    return complaint


@transaction.atomic
def settings_update(
    *, organisation: Organisation, actor: Actor, **values: Any
) -> IntegritySettings:
    if not has_capability(actor, caps.MANAGE_SETTINGS, organisation):
        raise ValidationError(_("You may not change these settings."))
    config, _created = IntegritySettings.objects.get_or_create(organisation=organisation)
    for name, value in values.items():
        setattr(config, name, value)
    if not (config.accept_anonymous or config.accept_confidential or config.accept_named):
        raise ValidationError(_("Accept at least one channel."))
    config.full_clean()
    config.save()
    audit_record(actor=actor, action=Action.UPDATE, obj=config, organisation=organisation)
    return config


# --- jobs -----------------------------------------------------------------------------------


def _wipe(case: Case) -> None:
    """Anonymise: remove every text, file, identity, conversation and the mailbox."""
    case.messages.all().delete()
    case.attachments.all().delete()
    case.minutes.all().delete()
    case.disclosures.all().delete()
    case.retaliations.all().delete()
    case.members.all().delete()
    case.exclusions.all().delete()
    case.reminders.all().delete()
    case.history.update(actor=None, note="")
    case.summary_ct = ""
    case.identity_ct = ""
    case.mailbox_index = None
    case.mailbox_hash = ""
    case.subject_function = ""
    case.anonymised_at = timezone.now()
    case.retain_until = None
    case.save()


def retention_run(*, today: date | None = None, limit: int = 1000) -> list[DestructionRecord]:
    """Delete or anonymise closed cases whose retention ended; write a destruction record."""
    today = today or timezone.localdate()
    done: list[DestructionRecord] = []
    expired = (
        Case.objects.filter(status=codes.Status.CLOSED, retain_until__lt=today, anonymised_at=None)
        .order_by("retain_until")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in list(expired):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update()
                .select_related("organisation")
                .filter(pk=pk, retain_until__lt=today)
                .first()
            )
            if case is None:
                continue
            config = settings_for(case.organisation)
            record = DestructionRecord.objects.create(
                organisation_id=case.organisation_id,
                case_reference=case.reference,
                case_id=case.pk,
                received_on=local_date(case.received_at),
                closed_on=local_date(case.closed_at or case.received_at),
                outcome=case.outcome or codes.Outcome.NO_INVESTIGATION,
                retention_months=config.retention_months(case.outcome),
                action=config.retention_action,
                destroyed_at=timezone.now(),
            )
            if config.retention_action == RetentionAction.ANONYMISE:
                _wipe(case)
            else:
                case.delete()  # the ReportFact stays (its link is set to NULL)
            audit_record(
                actor=None,
                action=Action.DELETE,
                object_type=CASE,
                object_id=str(pk),
                organisation=record.organisation_id,
                channel="retention",
                reason=f"retention ended ({record.outcome}, {record.retention_months} months)",
            )
            done.append(record)
    return done


def _reminder_due(case: Case, today: date) -> list[tuple[str, str, date]]:
    from vib.integrity.deadlines import deadlines_of

    due = []
    for deadline in deadlines_of(case):
        if deadline.overdue(today):
            due.append((deadline.kind, "overdue", deadline.due))
        elif deadline.soon(today):
            due.append((deadline.kind, "soon", deadline.due))
    return due


_KIND_LABELS = {
    "acknowledgement": lambda: _("acknowledgement"),
    "feedback": lambda: _("feedback"),
}


def _remind(case: Case, kind: str, stage: str, due: date, recipients: list[str]) -> None:
    """Queue the reminder mail for after the commit of its ``DeadlineReminder`` row."""
    from django.core.mail import send_mail
    from django.urls import reverse

    label = _KIND_LABELS[kind]()
    subject = (
        _("Overdue: %(kind)s deadline of case %(ref)s")
        if stage == "overdue"
        else _("Coming up: %(kind)s deadline of case %(ref)s")
    ) % {"kind": label, "ref": case.reference}
    body = _("The %(kind)s deadline of case %(ref)s is %(due)s. Open: %(url)s") % {
        "kind": label,
        "ref": case.reference,
        "due": due.isoformat(),
        "url": reverse("integrity:case", args=[case.pk]),
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


def deadline_reminders_send(*, today: date | None = None) -> int:
    """Remind the designated handler of deadlines that come close or have passed (once each).

    The mail names the case reference and the deadline only: no content leaves the platform.
    """
    from vib.integrity.models import DeadlineReminder

    today = today or timezone.localdate()
    sent = 0
    cases = Case.objects.filter(status__in=codes.OPEN_STATUSES).prefetch_related("members__user")
    for case in cases.iterator(chunk_size=500):
        reminders = _reminder_due(case, today)
        if not reminders:
            continue
        recipients = [m.user.email for m in case.members.all() if m.designated] or [
            m.user.email for m in case.members.all() if m.role == codes.MemberRole.HANDLER
        ]
        for kind, stage, due in reminders:
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(
                        case=case, kind=kind, stage=stage, due=due, sent_at=timezone.now()
                    )
                    if recipients:
                        _remind(case, kind, stage, due, recipients)
            except IntegrityError:
                continue  # already reminded
            sent += 1
    return sent
