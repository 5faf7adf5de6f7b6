"""What operations keeps: scheduler stamps, task effects, destruction records, access reviews.

None of these rows holds personal data except the access reviews, which refer to role
assignments (who holds which role) — the very thing they review.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.models import BaseModel


class ScheduledJob(models.Model):
    """One row per declared periodic job. The scheduler moves ``next_run`` forward with a
    compare-and-set, in the same transaction that enqueues the task, so a due time is
    enqueued exactly once however many scheduler processes run."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    task_path = models.CharField(_("task"), max_length=200)
    spec = models.CharField(_("schedule fingerprint"), max_length=16, blank=True)
    next_run = models.DateTimeField(_("next run"))
    last_run = models.DateTimeField(_("last run"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class TaskEffect(models.Model):
    """Proof that an effect happened: written in the same transaction as the effect
    (see ``vib.operations.idempotency.run_once``)."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    done_at = models.DateTimeField(_("done at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task effect")
        verbose_name_plural = _("task effects")
        indexes = [models.Index(fields=["done_at"])]

    def __str__(self) -> str:
        return self.key


class DestructionRecord(models.Model):
    """What a retention job destroyed, when and under which rule. No personal data: counts."""

    module = models.CharField(_("module"), max_length=50)
    object_type = models.CharField(_("object type"), max_length=100)
    count = models.PositiveIntegerField(_("count"))
    rule = models.CharField(_("rule"), max_length=300)
    organisation_id = models.CharField(_("organisation"), max_length=64, blank=True)
    run_date = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-run_date", "module", "object_type"]
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        indexes = [models.Index(fields=["run_date", "module"])]

    def __str__(self) -> str:
        return f"{self.run_date} {self.module} {self.object_type}: {self.count}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("open")
    COMPLETED = "completed", _("completed")


class Decision(models.TextChoices):
    PENDING = "", _("not decided")
    KEEP = "keep", _("keep")
    REVOKE = "revoke", _("revoke")


class AccessReview(BaseModel):
    """The yearly review (BIO) of every role held in one organisation."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="access_reviews",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="access_review_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class AccessReviewItem(BaseModel):
    """One role assignment as it stood when the review started, and the decision on it."""

    review = models.ForeignKey(
        AccessReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="items"
    )
    assignment = models.ForeignKey(
        "accounts.RoleAssignment",
        verbose_name=_("role assignment"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # A snapshot, so the review still reads right after the assignment changed or went.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.ForeignKey("accounts.Role", verbose_name=_("role"), on_delete=models.PROTECT)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["user__full_name", "role__order"]
        verbose_name = _("access review item")
        verbose_name_plural = _("access review items")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "assignment"], name="access_review_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.user_id} {self.role_id} {self.decision or '-'}"
