"""All writes of the surveys module: waves, frames, mailings, answering and closing.

Answering is deliberately *not* audited: an audit event written at the moment of answering
would carry the time and the invitation and so link the two (docs/adr/0051).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor, RoleAssignment
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.core.imports import csv_problem, quoted
from vib.organisations.models import Organisation, Tier
from vib.surveys import strata as strata_mod
from vib.surveys import tokens
from vib.surveys.models import Draft, Invitation, Response, Wave, WaveInstrument, WaveStatus
from vib.surveys.questionnaires import Instrument, check_answer, load_instrument

# Every new response is written together with up to this many older ones of the same wave,
# re-inserted in random order, so the newest rows do not single out the newest respondent.
MIX_SIZE = 8
BATCH = 1000
CSV_COLUMNS = ("instrument", "email", "tier", "organisation", "function", "gender")
MAX_FRAME_ROWS = 200_000
_random = random.SystemRandom()


def default_texts() -> dict[str, str]:
    return {
        "invitation_subject": _("Invitation: Integrity and Safety Monitor"),
        "invitation_body": _(
            "Dear Sir or Madam,\n\nYou are invited to take part in the Integrity and Safety "
            "Monitor. Your answers are stored apart from your name and e-mail address: nobody "
            "can see what you answered.\n\nAnswer through this personal link (it works until "
            "you have sent your answers):\n{link}\n\nThe questionnaire is open until "
            "{deadline}.\n\nThank you for taking part."
        ),
        "reminder_subject": _("Reminder: Integrity and Safety Monitor"),
        "reminder_body": _(
            "Dear Sir or Madam,\n\nWe have not yet received your answers to the Integrity and "
            "Safety Monitor. If you have already started, you continue where you left off:\n"
            "{link}\n\nThe questionnaire is open until {deadline}."
        ),
    }


def _require_link(fields: Mapping[str, str]) -> dict[str, str]:
    errors = {
        name: _("The text must contain {link}, where the personal link goes.")
        for name in ("invitation_body", "reminder_body")
        if "{link}" not in fields.get(name, "")
    }
    return errors


# --- waves -----------------------------------------------------------------------------------


@transaction.atomic
def wave_create(
    *,
    actor: Actor,
    organisation: Organisation,
    edition: int,
    title: str,
    field_start: dt.date,
    field_end: dt.date,
    instruments: Iterable[str],
    invitation_subject: str = "",
    invitation_body: str = "",
    reminder_subject: str = "",
    reminder_body: str = "",
    demo: bool = False,
) -> Wave:
    keys = list(dict.fromkeys(instruments))
    texts = default_texts()
    fields = {
        "invitation_subject": invitation_subject.strip() or texts["invitation_subject"],
        "invitation_body": invitation_body.strip() or texts["invitation_body"],
        "reminder_subject": reminder_subject.strip() or texts["reminder_subject"],
        "reminder_body": reminder_body.strip() or texts["reminder_body"],
    }
    errors: dict[str, str] = _require_link(fields)
    if not title.strip():
        errors["title"] = _("Give the wave a title.")
    if not 2000 <= edition <= 2100:
        errors["edition"] = _("Enter an edition year between 2000 and 2100.")
    if field_end < field_start:
        errors["field_end"] = _("The field period cannot end before it starts.")
    loaded: list[Instrument] = []
    for key in keys:
        try:
            loaded.append(load_instrument(key))
        except KeyError:
            errors["instruments"] = _("Unknown questionnaire: %(key)s.") % {"key": key}
    if not keys:
        errors["instruments"] = _("Choose at least one questionnaire.")
    if len({i.code for i in loaded}) != len(loaded):
        errors["instruments"] = _("Choose one version of each questionnaire.")
    if errors:
        raise ValidationError(errors)
    wave = Wave.objects.create(
        organisation=organisation,
        edition=edition,
        title=title.strip(),
        field_start=field_start,
        field_end=field_end,
        demo=demo,
        **fields,
    )
    WaveInstrument.objects.bulk_create(
        WaveInstrument(wave=wave, code=i.code, version=i.version, digest=i.digest) for i in loaded
    )
    audit_record(actor=actor, action=Action.CREATE, obj=wave)
    return wave


def _lock(wave: Wave) -> Wave:
    return Wave.objects.select_for_update().get(pk=wave.pk)


@transaction.atomic
def wave_update_texts(*, actor: Actor, wave: Wave, **fields: str) -> Wave:
    wave = _lock(wave)
    allowed = ("invitation_subject", "invitation_body", "reminder_subject", "reminder_body")
    values = {k: (fields.get(k) or "").strip() or getattr(wave, k) for k in allowed}
    errors = _require_link(values)
    if wave.status == WaveStatus.CLOSED:
        errors["__all__"] = _("This wave is closed.")
    if errors:
        raise ValidationError(errors)
    for key, value in values.items():
        setattr(wave, key, value)
    wave.save(update_fields=[*allowed, "updated_at"])
    audit_record(actor=actor, action=Action.UPDATE, obj=wave)
    return wave


# --- the frame -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameRow:
    instrument: str  # instrument code
    email: str
    tier: str
    organisation: Organisation | None
    function: str
    gender: str = ""


@dataclass(frozen=True)
class FrameResult:
    added: int
    skipped: int  # already in the frame of that instrument


def _add_to_frame(wave: Wave, rows: Iterable[FrameRow]) -> FrameResult:
    instruments = {wi.code: wi for wi in wave.instruments.all()}
    existing = set(
        Invitation.objects.filter(wave=wave).values_list("instrument__code", "email_digest")
    )
    new: list[Invitation] = []
    skipped = 0
    for row in rows:
        digest = tokens.email_digest(row.email)
        if (row.instrument, digest) in existing:
            skipped += 1
            continue
        existing.add((row.instrument, digest))
        token = tokens.new_token()
        new.append(
            Invitation(
                wave=wave,
                instrument=instruments[row.instrument],
                email=row.email.strip().lower(),
                email_digest=digest,
                tier=row.tier,
                organisation=row.organisation,
                function=row.function,
                gender=row.gender,
                token_digest=tokens.invitation_digest(token),
                token=token,
            )
        )
    Invitation.objects.bulk_create(new, batch_size=BATCH)
    return FrameResult(added=len(new), skipped=skipped)


def _frame_open(wave: Wave) -> None:
    if wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("This wave is closed; its frame can no longer change."))


def instrument_for_function(wave: Wave, function: str) -> str | None:
    """The instrument of the wave meant for people with this frame function, if any."""
    for wi in wave.instruments.all():
        if function in load_instrument(wi.key).functions:
            return wi.code
    return None


@transaction.atomic
def frame_from_platform(*, actor: Actor, wave: Wave) -> FrameResult:
    """Add everyone who holds a current role in an organisation to the frame.

    Office holders (by the function of their role assignment) get the office-holder
    questionnaire, secretarissen and griffiers the organisation questionnaire, everyone else
    the employee questionnaire — each only if the wave has that questionnaire.
    """
    wave = _lock(wave)
    _frame_open(wave)
    today = timezone.localdate()
    assignments = (
        RoleAssignment.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
            valid_from__lte=today,
            organisation__isnull=False,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("user_id", "organisation_id", "role__order")
    )
    by_function: dict[str, str | None] = {}
    rows: list[FrameRow] = []
    for a in assignments:
        function = strata_mod.FUNCTION_ALIASES.get(a.function.strip().lower())
        if function is None:
            function = a.role_id if a.role_id in ("secretaris", "griffier") else "medewerker"
        if function not in by_function:
            by_function[function] = instrument_for_function(wave, function)
        instrument = by_function[function]
        if instrument is None:
            continue
        rows.append(
            FrameRow(
                instrument=instrument,
                email=a.user.email,
                tier=a.organisation.tier,  # type: ignore[union-attr]
                organisation=a.organisation,
                function=function,
            )
        )
    result = _add_to_frame(wave, rows)
    audit_record(actor=actor, action=Action.UPDATE, obj=wave, reason="frame from the platform")
    return result


@dataclass(frozen=True)
class FrameError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Line %(line)d, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class FrameImportError(ValidationError):
    """The frame file has problems; nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[FrameError]) -> None:
        self.errors = errors
        super().__init__([str(e) for e in errors[:50]])


def _parse_frame(wave: Wave, file: IO[str]) -> tuple[list[FrameRow], list[FrameError]]:
    reader = csv.DictReader(file)
    try:
        return _check_frame(wave, reader)
    except csv.Error as exc:  # a value beyond csv's field size limit, a stray line break, ...
        # reader.reader: DictReader only copies line_num after a row was read whole.
        return [], [FrameError(max(reader.reader.line_num, 1), "-", csv_problem(exc))]


def _check_frame_values(
    value: dict[str, str],
    line: int,
    codes: set[str],
    organisations: dict[str, Organisation],
    errors: list[FrameError],
) -> tuple[str, Organisation | None, str]:
    """One frame line's values checked (errors noted); its e-mail, organisation and gender."""
    if value["instrument"] not in codes:
        errors.append(
            FrameError(
                line,
                "instrument",
                _("Not a questionnaire of this wave: %(v)s.")
                % {"v": quoted(value["instrument"]) or "—"},
            )
        )
    email = value["email"].lower()
    if not _is_email(email):
        errors.append(FrameError(line, "email", _("Not a valid e-mail address.")))
    if value["tier"] not in Tier.values:
        errors.append(
            FrameError(
                line, "tier", _("Unknown tier: %(v)s.") % {"v": quoted(value["tier"]) or "—"}
            )
        )
    organisation = organisations.get(value["organisation"].upper())
    if value["organisation"] and organisation is None:
        errors.append(
            FrameError(
                line,
                "organisation",
                _("Unknown organisation code: %(v)s.") % {"v": quoted(value["organisation"])},
            )
        )
    elif organisation is not None and organisation.tier != value["tier"]:
        errors.append(FrameError(line, "organisation", _("The organisation is of another tier.")))
    if value["function"] not in strata_mod.FUNCTIONS:
        errors.append(
            FrameError(
                line,
                "function",
                _("Unknown function: %(v)s.") % {"v": quoted(value["function"]) or "—"},
            )
        )
    gender = value["gender"].lower()
    if gender not in strata_mod.GENDERS:
        errors.append(FrameError(line, "gender", _("Use v, m, x or leave empty.")))
    return email, organisation, gender


def _check_frame(
    wave: Wave, reader: csv.DictReader[str]
) -> tuple[list[FrameRow], list[FrameError]]:
    errors: list[FrameError] = []
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [
            FrameError(
                1,
                c,
                _("This column is missing; the header needs %(columns)s.")
                % {"columns": ",".join(CSV_COLUMNS)},
            )
            for c in missing
        ]
    reader.fieldnames = header
    codes = {wi.code for wi in wave.instruments.all()}
    organisations = {o.code.upper(): o for o in Organisation.objects.all()}
    rows: list[FrameRow] = []
    seen: set[tuple[str, str]] = set()
    for count, raw in enumerate(reader, start=1):
        line = reader.line_num  # the physical line: a quoted value may span several
        if count > MAX_FRAME_ROWS:
            errors.append(FrameError(line, "-", _("The file has too many rows.")))
            break
        value = {k: (raw.get(k) or "").strip() for k in CSV_COLUMNS}
        if None in raw:
            errors.append(FrameError(line, "-", _("This line has more fields than the header.")))
            continue
        email, organisation, gender = _check_frame_values(value, line, codes, organisations, errors)
        key = (value["instrument"], email)
        if key in seen:
            errors.append(
                FrameError(line, "email", _("This person is already on an earlier line."))
            )
        seen.add(key)
        rows.append(
            FrameRow(
                value["instrument"], email, value["tier"], organisation, value["function"], gender
            )
        )
    return rows, errors


def _is_email(text: str) -> bool:
    """An address mail can be sent to: no empty local part, no line breaks or controls."""
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


@transaction.atomic
def frame_import_csv(*, actor: Actor, wave: Wave, file: IO[str] | IO[bytes]) -> FrameResult:
    """Add people from a CSV file (instrument,email,tier,organisation,function,gender).

    Every row is checked first; with any error nothing is written.
    """
    wave = _lock(wave)
    _frame_open(wave)
    text: IO[str]
    if isinstance(file.read(0), bytes):
        try:
            # newline="": csv itself reads the line breaks (\r\n, \n or \r), also in quotes.
            content = file.read().decode("utf-8-sig")  # type: ignore[union-attr]
        except UnicodeDecodeError:
            raise FrameImportError([FrameError(1, "-", _("The file is not UTF-8 text."))]) from None
        text = io.StringIO(content, newline="")
    else:
        text = file  # type: ignore[assignment]
    rows, errors = _parse_frame(wave, text)
    if errors:
        raise FrameImportError(errors)
    if not rows:
        raise FrameImportError([FrameError(2, "-", _("The file holds no people."))])
    result = _add_to_frame(wave, rows)
    audit_record(actor=actor, action=Action.UPDATE, obj=wave, reason="frame imported from CSV")
    return result


# --- mailings --------------------------------------------------------------------------------


def _mailing(*, actor: Actor, wave: Wave, base_url: str, reminder: bool) -> int:
    from vib.surveys.tasks import send_wave_mail

    wave = _lock(wave)
    today = timezone.localdate()
    if wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("This wave is closed."))
    if wave.field_end < today:
        raise ValidationError(_("The field period has ended; close the wave."))
    if not base_url.startswith(("http://", "https://")):
        raise ValidationError(_("A web address to link to is needed."))
    if reminder:
        qs = Invitation.objects.filter(wave=wave, responded=False, sent_on__isnull=False)
        if wave.status != WaveStatus.OPEN:
            raise ValidationError(_("Send the invitations first."))
    else:
        qs = Invitation.objects.filter(wave=wave, sent_on__isnull=True)
    ids = [str(pk) for pk in qs.values_list("id", flat=True)]
    if not ids:
        raise ValidationError(
            _("Everyone has already answered or been reminded.")
            if reminder
            else _("There is nobody left to invite; add people to the frame first.")
        )
    if reminder:
        qs.update(reminders=F("reminders") + 1)
    else:
        qs.update(sent_on=today)
    if wave.status == WaveStatus.DRAFT:
        wave.status = WaveStatus.OPEN
        wave.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=wave,
        reason=f"{'reminders' if reminder else 'invitations'} to {len(ids)}",
    )
    kind = "reminder" if reminder else "invitation"
    transaction.on_commit(
        lambda: send_wave_mail.enqueue(str(wave.pk), kind, ids, base_url.rstrip("/"))
    )
    return len(ids)


@transaction.atomic
def invitations_send(*, actor: Actor, wave: Wave, base_url: str) -> int:
    """Open the wave and invite everyone in the frame who has not been invited yet."""
    return _mailing(actor=actor, wave=wave, base_url=base_url, reminder=False)


@transaction.atomic
def reminders_send(*, actor: Actor, wave: Wave, base_url: str) -> int:
    """Remind everyone invited who has not answered (with the same personal link)."""
    return _mailing(actor=actor, wave=wave, base_url=base_url, reminder=True)


@transaction.atomic
def wave_close(*, actor: Actor, wave: Wave) -> Wave:
    """Close the wave: drop answers in progress, erase tokens, reshuffle the stored responses."""
    wave = _lock(wave)
    if wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("This wave is already closed."))
    wave.status = WaveStatus.CLOSED
    wave.save(update_fields=["status", "updated_at"])
    Draft.objects.filter(wave=wave).delete()
    Invitation.objects.filter(wave=wave).exclude(token="").update(token="")
    responses_shuffle(wave=wave)
    audit_record(actor=actor, action=Action.UPDATE, obj=wave, reason="closed")
    return wave


def responses_shuffle(*, wave: Wave) -> int:
    """Rewrite the wave's responses in random order (new physical rows, same random keys).

    Row ids of SQLite (``rowid``) and the physical position on PostgreSQL (``ctid``) follow the
    order of insertion; after this they follow a random permutation (docs/adr/0051).
    """
    rows = list(Response.objects.filter(wave=wave))
    _random.shuffle(rows)
    Response.objects.filter(wave=wave).delete()
    Response.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# --- answering -------------------------------------------------------------------------------


class AnswerError(ValidationError):
    """Answers cannot be stored or sent; ``code`` says why (closed, answered, invalid)."""


def _invitation_for(token: str, *, lock: bool = False) -> Invitation:
    if not tokens.well_formed(token):
        raise AnswerError(_("This link is not valid."), code="invalid")
    qs = Invitation.objects.select_related("wave", "instrument")
    if lock:
        qs = qs.select_for_update()
    invitation = qs.filter(token_digest=tokens.invitation_digest(token)).first()
    if invitation is None:
        raise AnswerError(_("This link is not valid."), code="invalid")
    if invitation.responded:
        raise AnswerError(_("These answers have already been sent. Thank you!"), code="answered")
    wave = invitation.wave
    today = timezone.localdate()
    if wave.status != WaveStatus.OPEN or not wave.field_start <= today <= wave.field_end:
        raise AnswerError(_("This questionnaire is closed."), code="closed")
    return invitation


def strata_of(invitation: Invitation) -> dict[str, str]:
    return {"tier": invitation.tier, "function": invitation.function, "gender": invitation.gender}


@transaction.atomic
def draft_save(*, token: str, answers: Mapping[str, Any], page: int) -> None:
    """Store the answers so far (encrypted, keyed by the token's draft digest)."""
    invitation = _invitation_for(token)
    instrument = load_instrument(invitation.instrument.key)
    clean = instrument.prune(answers, strata_of(invitation))
    Draft.objects.update_or_create(
        key=tokens.draft_key(token),
        defaults={"wave": invitation.wave, "answers": json.dumps(clean), "page": max(page, 0)},
    )


def missing_answers(
    instrument: Instrument, answers: Mapping[str, Any], strata: Mapping[str, str]
) -> list[str]:
    """Ids of routed questions that are required and unanswered, or answered invalidly."""
    missing = []
    for group in instrument.visible_groups(answers, strata):
        for q in instrument.visible_questions(group, answers, strata):
            value = answers.get(q.id)
            if (
                (value is None and q.required)
                or (value is not None and not check_answer(q, value))
                or (q.type == "grid" and q.required and len(value or {}) != len(q.rows))
            ):
                missing.append(q.id)
    return missing


@transaction.atomic
def response_submit(*, token: str, answers: Mapping[str, Any]) -> None:
    """Send the answers: store them apart from any identity and spend the token."""
    invitation = _invitation_for(token, lock=True)
    instrument = load_instrument(invitation.instrument.key)
    strata = strata_of(invitation)
    clean = instrument.prune(answers, strata)
    if missing_answers(instrument, clean, strata):
        raise AnswerError(_("Some questions still need an answer."), code="incomplete")
    organisation_code = ""
    if instrument.unit == "organisation" and invitation.organisation_id:
        organisation_code = invitation.organisation.code  # type: ignore[union-attr]
    response = Response(
        wave_id=invitation.wave_id,
        instrument_id=invitation.instrument_id,
        organisation_code=organisation_code,
        answers=clean,
        **strata,
    )
    # The invitation learns "has responded" and nothing else; the token is spent.
    Invitation.objects.filter(pk=invitation.pk).update(responded=True, token="")
    Draft.objects.filter(key=tokens.draft_key(token)).delete()
    _insert_mixed(response)


def _insert_mixed(response: Response) -> None:
    older = list(
        Response.objects.select_for_update().filter(
            pk__in=Response.objects.filter(wave_id=response.wave_id)
            .order_by("?")
            .values("pk")[:MIX_SIZE]
        )
    )
    rows = [*older, response]
    _random.shuffle(rows)
    Response.objects.filter(pk__in=[r.pk for r in older]).delete()
    Response.objects.bulk_create(rows)
