"""A report run: one background production of the monitor report for a wave.

The run keeps the key figures it published (``summary``, disclosure-controlled) so the
dashboard shows them without recomputing, and the paths of its files under
``MEDIA_ROOT/monitor/``. It refers to the wave by id only: the surveys module's models stay
its own (the wave is opened through ``vib.access.surveys``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.models import BaseModel


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    HTML = "html", "HTML"


class ReportRun(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    wave_id = models.UUIDField(_("wave"))
    edition = models.PositiveSmallIntegerField(_("edition"))
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    report_file = models.CharField(max_length=300, blank=True)
    bundle_file = models.CharField(max_length=300, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.edition} {self.format} ({self.status})"
