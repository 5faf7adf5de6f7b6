"""Vulnerable processes and the organisation's policy checklist (docs/domain.md §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.models import BaseModel


class ProcessKind(models.TextChoices):
    PROCUREMENT = "procurement", _("procurement and tendering")
    INFORMATION = "information", _("protection of confidential information")
    PERMITS = "permits", _("permits")
    SUBSIDIES = "subsidies", _("subsidies")
    ENFORCEMENT = "enforcement", _("enforcement")
    FINANCE = "finance", _("finance")
    HR = "hr", _("human resources")
    OTHER = "other", _("other")


# Every organisation is expected to inventory at least these (docs/domain.md §6).
EXPECTED_KINDS = (ProcessKind.PROCUREMENT, ProcessKind.INFORMATION, ProcessKind.PERMITS)


class Risk(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Safeguard(models.TextChoices):
    SEGREGATION = "segregation", _("segregation of duties")
    FOUR_EYES = "four_eyes", _("four-eyes principle")
    ROTATION = "rotation", _("job rotation")
    VOG = "vog", _("designated for a certificate of conduct (VOG)")
    SCREENING = "screening", _("screening")


class VulnerableProcess(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="vulnerable_processes",
    )
    name = models.CharField(_("process, act or function"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ProcessKind.choices)
    description = models.TextField(_("description"), blank=True)
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices)
    functions = models.JSONField(
        _("vulnerable functions"),
        default=list,
        blank=True,
        help_text=_("Function titles involved, e.g. inkoper, vergunningverlener."),
    )
    safeguards = models.JSONField(_("safeguards"), default=list, blank=True)
    owner = models.CharField(_("process owner"), max_length=120, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    next_review_on = models.DateField(_("next review on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("vulnerable process")
        verbose_name_plural = _("vulnerable processes")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="vulnerable_process_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProcessReview(models.Model):
    """Append-only: every review of a process, with the rating and safeguards it found."""

    process = models.ForeignKey(VulnerableProcess, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices)
    safeguards = models.JSONField(_("safeguards"), default=list)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("process review")
        verbose_name_plural = _("process reviews")

    def __str__(self) -> str:
        return f"{self.process_id} {self.reviewed_on}"


class PolicyChecklist(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="policy_checklists",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.CharField(_("code list version"), max_length=12)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("policy checklist")
        verbose_name_plural = _("policy checklists")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="checklist_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    PARTLY = "partly", _("partly")
    NO = "no", _("no")
    NOT_APPLICABLE = "na", _("not applicable")


class PolicyAnswer(models.Model):
    checklist = models.ForeignKey(PolicyChecklist, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(_("item"), max_length=40)
    audience = models.CharField(_("for"), max_length=16)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    note = models.TextField(_("explanation"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("policy answer")
        verbose_name_plural = _("policy answers")
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "item", "audience"], name="policy_answer_unique"
            )
        ]
        indexes = [models.Index(fields=["item", "audience", "answer"])]

    def __str__(self) -> str:
        return f"{self.item}/{self.audience}: {self.answer}"
