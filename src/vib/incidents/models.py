"""Aggression and violence incidents (docs/domain.md §3): the record, its people and its follow-up.

Every row carries its ``organisation`` (the tenant), so the access layer can filter any of
them in SQL. Names and contact details of people are encrypted at rest; the facts the
statistics need (types, channel, dates, groups) are plain columns.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vib.core.crypto import EncryptedTextField
from vib.core.models import BaseModel
from vib.incidents import codes
from vib.integrity.fields import SealedTextField


class AppendOnlyError(Exception):
    pass


class PrivateStorage(FileSystemStorage):
    """Files under ``MEDIA_ROOT`` (read when used, so it follows the setting) without a URL:
    they are served only by the access-checked download view."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through the access layer.")


_PRIVATE = PrivateStorage()


def evidence_storage() -> Storage:
    return _PRIVATE


def month_of(moment: Any) -> Any:
    """The first day of the month of ``moment`` in Dutch local time."""
    return timezone.localtime(moment).date().replace(day=1)


class IncidentQuerySet(models.QuerySet["Incident"]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        objs = list(objs)
        for obj in objs:
            obj.occurred_month = month_of(obj.occurred_at)
        return super().bulk_create(objs, *args, **kwargs)


class Incident(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=16)
    status = models.CharField(
        _("status"), max_length=20, choices=codes.Status.choices, default=codes.Status.REPORTED
    )
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person it happened to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("When the person has a VIB account, they can follow the report."),
    )
    on_behalf = models.BooleanField(_("reported on behalf of someone else"), default=False)

    occurred_at = models.DateTimeField(_("date and time"))
    occurred_month = models.DateField(
        _("month"),
        editable=False,
        help_text=_("First day of the local month of occurred_at: the dashboard groups on it."),
    )
    place_kind = models.CharField(_("place"), max_length=20, choices=codes.PlaceKind.choices)
    location = SealedTextField(
        _("location"), max_length=200, blank=True, purpose="incident.location"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=codes.Channel.choices)
    platform = models.CharField(
        _("social-media platform"), max_length=20, choices=codes.Platform.choices, blank=True
    )
    types = models.PositiveSmallIntegerField(
        _("incident types"), help_text=_("Bit mask of codes.IncidentType.")
    )
    severity = models.CharField(
        _("how serious it felt"), max_length=20, choices=codes.Severity.choices
    )
    description = SealedTextField(_("what happened"), blank=True, purpose="incident.description")
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    victim_groups = models.PositiveSmallIntegerField(
        _("victim groups"),
        default=0,
        help_text=_("Bit mask of codes.VictimGroup, kept by the services from the victims."),
    )
    damage_amount = models.DecimalField(
        _("material damage (euros)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recovery_claimed = models.DecimalField(
        _("damages claimed (euros)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recovery_received = models.DecimalField(
        _("damages recovered (euros)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=40, blank=True, help_text=_("E.g. GIR for imported records.")
    )
    external_id = models.CharField(_("id in the source system"), max_length=64, blank=True)
    anonymised_at = models.DateTimeField(
        _("anonymised at"),
        null=True,
        blank=True,
        help_text=_("Set by retention: personal data removed, the statistical facts kept."),
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="incident_unique_reference"
            ),
            models.UniqueConstraint(
                fields=["organisation", "source", "external_id"],
                condition=~models.Q(external_id=""),
                name="incident_unique_external_id",
            ),
            models.CheckConstraint(
                condition=models.Q(types__gte=1, types__lte=codes.ALL_TYPES),
                name="incident_types_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(platform="") | models.Q(channel=codes.Channel.SOCIAL_MEDIA),
                name="incident_platform_only_for_social_media",
            ),
        ]
        indexes = [
            # The list (newest first) and the dashboard (a period of one organisation).
            models.Index(fields=["organisation", "-occurred_at"], name="incident_org_occurred"),
            models.Index(
                fields=["organisation", "status", "-occurred_at"], name="incident_org_status"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.occurred_month = month_of(self.occurred_at)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "occurred_at" in update_fields:
            kwargs["update_fields"] = {*update_fields, "occurred_month"}
        super().save(*args, **kwargs)

    @property
    def type_values(self) -> list[str]:
        return codes.from_mask(self.types, codes.TYPE_BITS)

    @property
    def type_labels(self) -> list[str]:
        return [codes.label_of(codes.IncidentType, v) for v in self.type_values]

    @property
    def group_values(self) -> list[str]:
        return codes.from_mask(self.victim_groups, codes.GROUP_BITS)

    @property
    def group_labels(self) -> list[str]:
        return [codes.label_of(codes.VictimGroup, v) for v in self.group_values]


class IncidentChild(BaseModel):
    """A row that belongs to one incident (and so to its organisation)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Transition(models.Model):
    """The append-only status history: never changed, removed only with its incident."""

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="history")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=codes.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=codes.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    # The database numbers the row, so the note is bound to its incident.
    note = SealedTextField(_("note"), blank=True, purpose="transition.note", bind="incident_id")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The status history cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The status history cannot be deleted on its own.")


class Victim(IncidentChild):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="victims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = EncryptedTextField(_("name"), blank=True)
    group = models.CharField(_("role"), max_length=30, choices=codes.VictimGroup.choices)
    function = models.CharField(_("function"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    injury = models.BooleanField(_("injured"), default=False)
    sick_leave_days = models.PositiveIntegerField(_("sick-leave days"), null=True, blank=True)
    emotional_impact = models.CharField(
        _("emotional impact"), max_length=10, choices=codes.EmotionalImpact.choices, blank=True
    )
    job_satisfaction_affected = models.BooleanField(_("job satisfaction affected"), default=False)
    influence_on_decisions = models.BooleanField(
        _("influenced decisions or behaviour"), default=False
    )
    behaviour_change = SealedTextField(
        _("how (e.g. avoids social media)"),
        max_length=200,
        blank=True,
        purpose="victim.behaviour_change",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("victim")
        verbose_name_plural = _("victims")

    def __str__(self) -> str:
        return self.name or codes.label_of(codes.VictimGroup, self.group)


class Witness(IncidentChild):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="witnesses")
    name = EncryptedTextField(_("name"))
    contact = EncryptedTextField(_("contact details"), blank=True)
    statement = SealedTextField(_("statement"), blank=True, purpose="witness.statement")

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")

    def __str__(self) -> str:
        return self.name


class KnownPerpetrator(BaseModel):
    """The organisation's own register of repeat perpetrators (coordinators only)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(
        _("label"), max_length=100, help_text=_("A pseudonym, e.g. 'Perpetrator 2025-04'.")
    )
    name = EncryptedTextField(_("name"), blank=True)
    note = SealedTextField(_("note"), blank=True, purpose="known_perpetrator.note")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["label"]
        verbose_name = _("known perpetrator")
        verbose_name_plural = _("known perpetrators")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "label"], name="known_perpetrator_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Perpetrator(IncidentChild):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="perpetrators")
    kind = models.CharField(
        _("known or unknown"), max_length=10, choices=codes.PerpetratorKind.choices
    )
    category = models.CharField(_("who"), max_length=10, choices=codes.PerpetratorCategory.choices)
    name = EncryptedTextField(_("name"), blank=True)
    description = SealedTextField(
        _("description"), max_length=300, blank=True, purpose="perpetrator.description"
    )
    known = models.ForeignKey(
        KnownPerpetrator,
        verbose_name=_("repeat perpetrator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="perpetrators",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("perpetrator")
        verbose_name_plural = _("perpetrators")

    def __str__(self) -> str:
        return (
            self.name
            or self.description
            or codes.label_of(codes.PerpetratorCategory, self.category)
        )


class Measure(IncidentChild):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="measures")
    perpetrator = models.ForeignKey(
        Perpetrator,
        verbose_name=_("perpetrator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("measure"), max_length=30, choices=codes.MeasureKind.choices)
    decided_on = models.DateField(_("decided on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = SealedTextField(_("note"), blank=True, purpose="measure.note")

    class Meta:
        ordering = ["decided_on", "created_at"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return codes.label_of(codes.MeasureKind, self.kind)


class PoliceReport(IncidentChild):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="police_reports")
    kind = models.CharField(_("kind"), max_length=10, choices=codes.PoliceReportKind.choices)
    date = models.DateField(_("date"))
    police_reference = models.CharField(_("police reference"), max_length=50, blank=True)
    vpt = models.BooleanField(
        _("VPT incident"),
        default=True,
        help_text=_("Marked 'Veilige Publieke Taak', so the ELA agreements apply."),
    )
    employer_address = models.BooleanField(
        _("employer's address used"),
        default=True,
        help_text=_("Domiciliekeuze: the employer's address instead of the victim's."),
    )
    filed_by_employer = models.BooleanField(_("filed by the employer"), default=False)
    outcome = models.CharField(
        _("criminal case outcome"),
        max_length=20,
        choices=codes.CaseOutcome.choices,
        default=codes.CaseOutcome.PENDING,
    )
    outcome_date = models.DateField(_("outcome date"), null=True, blank=True)
    note = SealedTextField(_("note"), blank=True, purpose="police_report.note")

    class Meta:
        ordering = ["date", "created_at"]
        verbose_name = _("police report")
        verbose_name_plural = _("police reports")

    def __str__(self) -> str:
        return codes.label_of(codes.PoliceReportKind, self.kind)


class AftercareStep(IncidentChild):
    """One aftercare deadline for one victim: open until done or cancelled."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="aftercare")
    victim = models.ForeignKey(
        Victim, verbose_name=_("victim"), on_delete=models.CASCADE, related_name="aftercare"
    )
    kind = models.CharField(_("step"), max_length=30, choices=codes.AftercareKind.choices)
    due_from = models.DateTimeField(_("not before"))
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=codes.AftercareOutcome.choices, blank=True
    )
    referral_to = models.CharField(
        _("referred to"), max_length=30, choices=codes.Referral.choices, blank=True
    )
    note = SealedTextField(_("note"), blank=True, purpose="aftercare.note")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = SealedTextField(
        _("reason for cancelling"), max_length=200, blank=True, purpose="aftercare.cancel_reason"
    )

    class Meta:
        ordering = ["due_at", "created_at"]
        verbose_name = _("aftercare step")
        verbose_name_plural = _("aftercare steps")
        indexes = [
            models.Index(
                fields=["organisation", "due_at"],
                condition=models.Q(done_at__isnull=True, cancelled_at__isnull=True),
                name="aftercare_open_due",
            )
        ]

    def __str__(self) -> str:
        return codes.label_of(codes.AftercareKind, self.kind)

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.cancelled_at is None


class EvidenceFile(IncidentChild):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=evidence_storage, upload_to="incidents/%Y/%m", max_length=200)
    original_name = SealedTextField(
        _("file name"), max_length=200, purpose="evidence.original_name"
    )
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name
