"""Waves, their frame (the invitations) and the responses — kept apart so they cannot be linked.

* ``Invitation`` is personal data: who is in the frame, their strata, whether they answered.
  Its token is single-use; ``responded`` is all that is recorded of the answering.
* ``Draft`` holds answers in progress. It is keyed by a digest of the token (never by the
  invitation), encrypted, carries no timestamps, and is deleted when the answers are sent.
* ``Response`` holds the sent answers with only the strata needed for weighting. It has a
  random UUID key, no timestamps, no reference to an invitation, person, token or draft, and no
  request metadata. ``tests/surveys/test_unlinkability.py`` proves it on SQLite and PostgreSQL;
  docs/adr/0051 records the residual risks.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.crypto import EncryptedTextField
from vib.core.models import BaseModel
from vib.organisations.models import Tier


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("in preparation")
    OPEN = "open", _("in the field")
    CLOSED = "closed", _("closed")


class Wave(BaseModel):
    """One edition of the monitor: its instruments, field period, frame and mail texts."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="survey_waves",
        help_text=_("The organisation that runs the wave."),
    )
    edition = models.PositiveSmallIntegerField(_("edition year"))
    title = models.CharField(_("title"), max_length=200)
    field_start = models.DateField(_("start of the field period"))
    field_end = models.DateField(_("end of the field period"))
    status = models.CharField(
        _("status"), max_length=12, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    invitation_subject = models.CharField(_("invitation subject"), max_length=200)
    invitation_body = models.TextField(_("invitation text"))
    reminder_subject = models.CharField(_("reminder subject"), max_length=200)
    reminder_body = models.TextField(_("reminder text"))
    demo = models.BooleanField(_("synthetic demo wave"), default=False)

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ["-edition", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(field_end__gte=models.F("field_start")),
                name="surveys_wave_field_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WaveInstrument(models.Model):
    """An instrument version used in a wave (the file's digest pins its exact text)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="instruments")
    code = models.SlugField(_("instrument"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    digest = models.CharField(_("SHA-256 of the instrument file"), max_length=64)

    class Meta:
        verbose_name = _("wave instrument")
        verbose_name_plural = _("wave instruments")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="surveys_wave_instrument_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}-{self.version}"

    @property
    def key(self) -> str:
        return f"{self.code}-{self.version}"


class Invitation(models.Model):
    """One member of the frame of one instrument. Personal data; never joined to responses."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    instrument = models.ForeignKey(
        WaveInstrument, on_delete=models.CASCADE, related_name="invitations"
    )
    email = EncryptedTextField(_("e-mail address"))
    email_digest = models.CharField(max_length=64)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    function = models.CharField(_("function"), max_length=20)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    token_digest = models.CharField(max_length=64, unique=True)
    # Kept (encrypted) only so reminders can repeat the same link; erased once answered.
    token = EncryptedTextField(blank=True)
    sent_on = models.DateField(_("invited on"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    responded = models.BooleanField(_("has responded"), default=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "email_digest"], name="surveys_invitation_once"
            )
        ]
        indexes = [models.Index(fields=["wave", "tier", "function"])]

    def __str__(self) -> str:
        return f"{self.instrument} — {self.tier}:{self.function}"


class Draft(models.Model):
    """Answers in progress, found again only through the respondent's token."""

    key = models.CharField(primary_key=True, max_length=64)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    answers = EncryptedTextField(default="{}")
    page = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("answers in progress")
        verbose_name_plural = _("answers in progress")

    def __str__(self) -> str:
        return str(_("answers in progress"))


class Response(models.Model):
    """Sent answers: only the weighting strata, no time, no identity, no request data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(
        WaveInstrument, on_delete=models.CASCADE, related_name="responses"
    )
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    function = models.CharField(_("function"), max_length=20)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    # Only for instruments answered on behalf of an organisation (unit: organisation).
    organisation_code = models.CharField(_("organisation code"), max_length=16, blank=True)
    answers = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["instrument", "tier", "function"])]

    def __str__(self) -> str:
        return f"{self.instrument} — {self.tier}:{self.function}"
