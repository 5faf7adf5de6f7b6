"""Integrity reports and their cases. Free text and identities are encrypted at rest.

Columns ending in ``_ct`` hold AES-GCM ciphertext made with the organisation's data key
(``vib.integrity.crypto``); they are written and read only by ``services`` and through
``vib.access.integrity``. The receipt code of a mailbox is never stored: only a keyed index
(to find the case without scanning) and a slow scrypt hash (to verify it) (ADR 0020).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.models import BaseModel
from vib.integrity import codes


class ViolationTypology(models.Model):
    """A versioned typology of violations (e.g. the Rijk's nine categories, version 2023)."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("typology of violations")
        verbose_name_plural = _("typologies of violations")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="integrity_typology_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class ViolationCategory(models.Model):
    typology = models.ForeignKey(
        ViolationTypology, on_delete=models.PROTECT, related_name="categories"
    )
    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=200)
    name_nl = models.CharField(_("Dutch name"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    maps_to = models.ForeignKey(
        "self",
        verbose_name=_("maps to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("The category of the current reporting typology this one is counted as."),
    )

    class Meta:
        ordering = ["typology", "order"]
        verbose_name = _("category of violation")
        verbose_name_plural = _("categories of violation")
        constraints = [
            models.UniqueConstraint(fields=["typology", "code"], name="integrity_category_unique")
        ]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_nl if (get_language() or "nl").startswith("nl") else self.name_en

    @property
    def report_code(self) -> str:
        return self.maps_to.code if self.maps_to_id else self.code  # type: ignore[union-attr]


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("Delete the case")
    ANONYMISE = "anonymise", _("Anonymise the case")


class IntegritySettings(models.Model):
    """An organisation's choices: accepted channels, retention. Defaults apply without a row."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    accept_named = models.BooleanField(_("accept named reports"), default=True)
    accept_confidential = models.BooleanField(_("accept confidential reports"), default=True)
    accept_anonymous = models.BooleanField(_("accept anonymous reports"), default=True)
    accept_oral = models.BooleanField(_("accept oral reports"), default=True)
    retention_founded_months = models.PositiveSmallIntegerField(
        _("retention after an established violation (months)"), default=120
    )
    retention_unfounded_months = models.PositiveSmallIntegerField(
        _("retention after an unfounded report (months)"), default=24
    )
    retention_no_investigation_months = models.PositiveSmallIntegerField(
        _("retention after closure without investigation (months)"), default=12
    )
    retention_action = models.CharField(
        _("at the end of retention"),
        max_length=10,
        choices=RetentionAction.choices,
        default=RetentionAction.DELETE,
    )

    class Meta:
        verbose_name = _("integrity settings")
        verbose_name_plural = _("integrity settings")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    def accepted_channels(self) -> list[str]:
        pairs = (
            (codes.Channel.ANONYMOUS, self.accept_anonymous),
            (codes.Channel.CONFIDENTIAL, self.accept_confidential),
            (codes.Channel.NAMED, self.accept_named),
        )
        return [channel for channel, ok in pairs if ok]

    def retention_months(self, outcome: str) -> int:
        return {
            codes.Outcome.FOUNDED: self.retention_founded_months,
            codes.Outcome.UNFOUNDED: self.retention_unfounded_months,
        }.get(outcome, self.retention_no_investigation_months)  # type: ignore[call-overload]


class MeasureType(models.Model):
    """A measure from the organisation's own list, mapped onto the yearly report's categories."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(
        _("reported as"), max_length=12, choices=codes.MeasureCategory.choices
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="integrity_measure_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DataKey(models.Model):
    """A per-organisation data key, stored only wrapped with the master keys."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField()
    wrapped = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="integrity_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Case(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=20)
    case_type = models.CharField(
        _("type"), max_length=10, choices=codes.CaseType.choices, default=codes.CaseType.REPORT
    )
    channel = models.CharField(_("channel"), max_length=12, choices=codes.Channel.choices)
    form = models.CharField(
        _("form"), max_length=10, choices=codes.Form.choices, default=codes.Form.WRITTEN
    )
    status = models.CharField(
        _("status"), max_length=14, choices=codes.Status.choices, default=codes.Status.RECEIVED
    )
    category = models.ForeignKey(
        ViolationCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    received_at = models.DateTimeField(_("received at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    triage = models.CharField(_("triage"), max_length=14, choices=codes.Triage.choices, blank=True)
    forwarded_to = models.CharField(
        _("forwarded to"), max_length=6, choices=codes.Authority.choices, blank=True
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    investigation = models.CharField(
        _("investigation"), max_length=10, choices=codes.InvestigationKind.choices, blank=True
    )
    finding = models.CharField(
        _("finding"), max_length=16, choices=codes.Finding.choices, blank=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=codes.Outcome.choices, blank=True
    )
    aangifte = models.BooleanField(_("criminal complaint (aangifte) made"), null=True, blank=True)
    subject_kind = models.CharField(
        _("subject"),
        max_length=14,
        choices=codes.SubjectKind.choices,
        default=codes.SubjectKind.UNKNOWN,
    )
    subject_function = models.CharField(_("function of the subject"), max_length=100, blank=True)
    subject_tier = models.CharField(
        _("tier of the subject"),
        max_length=8,
        choices=codes.SubjectTier.choices,
        default=codes.SubjectTier.UNKNOWN,
    )
    vulnerable_process = models.CharField(
        _("vulnerable process"),
        max_length=12,
        choices=codes.VulnerableProcess.choices,
        blank=True,
    )
    # Encrypted (organisation data key): what was reported, and who reported it.
    summary_ct = models.TextField(blank=True)
    identity_ct = models.TextField(blank=True)
    # The mailbox: a keyed index to find the case, a slow hash to verify the code.
    mailbox_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    mailbox_hash = models.CharField(max_length=200, blank=True)
    retain_until = models.DateField(_("keep until"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("integrity case")
        verbose_name_plural = _("integrity cases")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="integrity_case_reference"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["retain_until"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != codes.Status.CLOSED


class CaseStatusChange(models.Model):
    """Append-only history of the workflow."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=14, choices=codes.Status.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=codes.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseMember(models.Model):
    """The case team: only its members (holding the capability today) see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role in the case"), max_length=14, choices=codes.MemberRole.choices)
    designated = models.BooleanField(
        _("designated handler"),
        default=False,
        help_text=_("Only the designated handler may reveal the reporter's identity."),
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case team member")
        verbose_name_plural = _("case team members")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="integrity_member_unique"),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(designated=True),
                name="integrity_one_designated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class CaseExclusion(models.Model):
    """People kept out of the case team: named in the report, or with a declared conflict."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exclusions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=codes.ExclusionReason.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exclusion from the case team")
        verbose_name_plural = _("exclusions from the case team")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="integrity_exclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Message(BaseModel):
    """One message of the case conversation, or an internal note (``to_reporter`` false)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=codes.Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_ct = models.TextField()
    to_reporter = models.BooleanField(_("visible to the reporter"), default=False)
    to_adviser = models.BooleanField(_("shared with the confidential adviser"), default=False)
    is_question = models.BooleanField(_("question to the reporter"), default=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["case", "created_at"])]


class Attachment(BaseModel):
    """A file, encrypted at rest in the database (files are small and few)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    name_ct = models.TextField()
    content_ct = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    from_reporter = models.BooleanField(default=False)
    to_reporter = models.BooleanField(default=False)
    to_adviser = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("file")
        verbose_name_plural = _("files")


class Minutes(BaseModel):
    """Minutes of an oral report; the reporter checks, corrects and signs them off."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveSmallIntegerField()
    text_ct = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    class Meta:
        ordering = ["case", "version"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="integrity_minutes_version")
        ]


class IdentityDisclosure(BaseModel):
    """Every time the reporter's identity was shown or disclosed, with the reason."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=codes.RevealKind.choices)
    reason_ct = models.TextField()
    recipient = models.CharField(_("disclosed to"), max_length=200, blank=True)
    notice = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("identity disclosure")
        verbose_name_plural = _("identity disclosures")


class RetaliationComplaint(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retaliations")
    kinds = models.JSONField(_("forms of retaliation"), default=list)
    description_ct = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("retaliation complaint")
        verbose_name_plural = _("retaliation complaints")


class CaseMeasure(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    measure = models.ForeignKey(MeasureType, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("measure taken")
        verbose_name_plural = _("measures taken")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class DeadlineReminder(models.Model):
    """A reminder that was sent, so the task sends each one once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)  # acknowledgement / feedback
    stage = models.CharField(max_length=10)  # soon / overdue
    due = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "stage", "due"], name="integrity_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class ReportFact(models.Model):
    """The pseudonymised facts the yearly report counts. Retention never deletes these."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="fact"
    )
    year = models.PositiveSmallIntegerField()
    case_type = models.CharField(max_length=10, choices=codes.CaseType.choices)
    category = models.CharField(max_length=40, blank=True)
    investigated = models.BooleanField(default=False)
    finding = models.CharField(max_length=16, blank=True)
    measures = models.JSONField(default=list)  # measure categories of the yearly report

    class Meta:
        indexes = [models.Index(fields=["year", "organisation"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class DestructionRecord(models.Model):
    """What the retention job destroyed, when and under which rule. Holds no case content."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    case_reference = models.CharField(_("reference"), max_length=20)
    case_id = models.UUIDField()
    received_on = models.DateField()
    closed_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=codes.Outcome.choices)
    retention_months = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=10, choices=RetentionAction.choices)
    destroyed_at = models.DateTimeField()

    class Meta:
        ordering = ["-destroyed_at"]
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
