"""The support desk for political office holders (docs/domain.md §8).

The support team works *across* organisations, so its membership is not an organisation
role: teams and their members are modelled here (ADR 0040). A help request belongs to the
office holder's organisation (for statistics and the referral) but is visible only to the
team members assigned to it and to the office holder (``vib.access.support``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.crypto import EncryptedTextField
from vib.core.models import BaseModel
from vib.support import codes


class SupportTeam(BaseModel):
    """A national or regional support team (e.g. the Netwerk Weerbaar Bestuur)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=codes.Scope.choices)
    region = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("region (province)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Regional teams serve the organisations in this province."),
    )
    phone = models.CharField(
        _("phone line"),
        max_length=30,
        help_text=_("Shown to office holders before the help form, next to 112."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["scope", "name"]
        verbose_name = _("support team")
        verbose_name_plural = _("support teams")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope=codes.Scope.NATIONAL, region__isnull=True)
                    | models.Q(scope=codes.Scope.REGIONAL, region__isnull=False)
                ),
                name="support_team_region_matches_scope",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_uri(self) -> str:
        digits = "".join(c for c in self.phone if c.isdigit() or c == "+")
        return f"tel:{digits}"


class TeamMember(BaseModel):
    """A person on a support team. Not an organisation role: the team works across them."""

    team = models.ForeignKey(
        SupportTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="support_memberships",
    )
    role = models.CharField(_("role in the team"), max_length=12, choices=codes.MemberRole.choices)
    expertise = models.CharField(
        _("expertise"), max_length=12, choices=codes.Expertise.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["team", "role", "user__full_name"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="support_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class HelpRequest(BaseModel):
    """A request for help: the case. Free text is encrypted at rest."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        SupportTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="requests"
    )
    office_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("office holder"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    function = models.CharField(_("function"), max_length=20, choices=codes.Function.choices)
    theme = models.CharField(_("theme"), max_length=12, choices=codes.Theme.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=codes.Urgency.choices)
    description = EncryptedTextField(_("what happened"))
    contact = models.CharField(_("preferred contact"), max_length=10, choices=codes.Contact.choices)
    contact_details = EncryptedTextField(_("phone number or e-mail address"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=codes.Status.choices, default=codes.Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        indexes = [models.Index(fields=["team", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="support_satisfaction_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} — {self.submitted_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status != codes.Status.CLOSED


class StatusChange(models.Model):
    """Append-only history of the workflow."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=codes.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=codes.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class CaseMember(models.Model):
    """Who of the team(s) works on a request. Only they see it (need-to-know)."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="case_members")
    member = models.ForeignKey(
        TeamMember, verbose_name=_("team member"), on_delete=models.PROTECT, related_name="cases"
    )
    role = models.CharField(_("role in the case"), max_length=12, choices=codes.MemberRole.choices)
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("case member")
        verbose_name_plural = _("case members")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "member"], name="support_case_member_unique"
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(role=codes.MemberRole.ADVISER),
                name="support_one_adviser",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_role_display()}"


class Message(BaseModel):
    """The support conversation: messages between office holder and team, and team notes."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("message"))
    internal = models.BooleanField(
        _("team only"), default=False, help_text=_("Not shown to the office holder.")
    )
    records_contact = models.BooleanField(
        _("records contact with the office holder"), default=False
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")


class PlanAction(BaseModel):
    """One action of the support plan, with its follow-up date. Shared with the office holder."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="actions")
    description = EncryptedTextField(_("action"))
    owner = models.ForeignKey(
        TeamMember,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up_on = models.DateField(_("follow up on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["follow_up_on", "created_at"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")


class Referral(BaseModel):
    """A referral to the office holder's own organisation, only with their explicit consent.

    ``shared_summary`` is exactly what the organisation will get; the office holder consents
    to that text, and nothing else of the conversation leaves the team (ADR 0042).
    """

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="referrals")
    target = models.CharField(_("refer to"), max_length=10, choices=codes.ReferralTarget.choices)
    shared_summary = EncryptedTextField(_("what the organisation will be told"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=codes.ReferralStatus.choices,
        default=codes.ReferralStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("consent decided at"), null=True, blank=True)
    linked_object_type = models.CharField(max_length=100, blank=True)
    linked_object_id = models.CharField(_("linked record"), max_length=64, blank=True)
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")


class HomeSecurity(BaseModel):
    """A request for a home-security scan and/or the allowance, attached to a help request."""

    request = models.OneToOneField(
        HelpRequest, on_delete=models.CASCADE, related_name="home_security"
    )
    wants_scan = models.BooleanField(_("home-security scan requested"), default=False)
    wants_allowance = models.BooleanField(_("allowance requested"), default=False)
    scan_on = models.DateField(_("scan carried out on"), null=True, blank=True)
    scan_advice = EncryptedTextField(_("advice of the scan"), blank=True)

    class Meta:
        verbose_name = _("home security")
        verbose_name_plural = _("home security")


class AllowanceYear(models.Model):
    """The lock root of the allowance cap: one row per office holder per calendar year."""

    office_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    cap = models.DecimalField(_("cap"), max_digits=9, decimal_places=2)
    approved_total = models.DecimalField(
        _("approved this year"), max_digits=9, decimal_places=2, default=Decimal("0.00")
    )

    class Meta:
        verbose_name = _("allowance year")
        verbose_name_plural = _("allowance years")
        constraints = [
            models.UniqueConstraint(
                fields=["office_holder", "year"], name="support_allowance_year"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_total__lte=models.F("cap")),
                name="support_allowance_within_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.approved_total} / {self.cap}"

    @property
    def remaining(self) -> Decimal:
        return self.cap - self.approved_total


class SecurityMeasure(BaseModel):
    """A measure approved under the allowance, and what was paid for it."""

    home_security = models.ForeignKey(
        HomeSecurity, on_delete=models.CASCADE, related_name="measures"
    )
    allowance_year = models.ForeignKey(
        AllowanceYear, on_delete=models.PROTECT, related_name="measures"
    )
    description = EncryptedTextField(_("measure"))
    amount_approved = models.DecimalField(_("amount approved"), max_digits=9, decimal_places=2)
    approved_on = models.DateField(_("approved on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["approved_on", "created_at"]
        verbose_name = _("security measure")
        verbose_name_plural = _("security measures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_approved__gt=0), name="support_measure_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__isnull=True)
                | models.Q(amount_paid__gte=0, amount_paid__lte=models.F("amount_approved")),
                name="support_paid_within_approved",
            ),
        ]


class RequestFact(models.Model):
    """Pseudonymised facts for the statistics; they outlive the request (ARCHITECTURE habit 8).

    Nothing here identifies a person: no user, no organisation, no free text — only the tier
    and the team, the codes and a month.
    """

    request = models.OneToOneField(
        HelpRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="fact"
    )
    team = models.ForeignKey(SupportTeam, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    tier = models.CharField(_("tier"), max_length=12)
    function = models.CharField(_("function"), max_length=20, choices=codes.Function.choices)
    theme = models.CharField(_("theme"), max_length=12, choices=codes.Theme.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=codes.Urgency.choices)
    hours_to_first_contact = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("request fact")
        verbose_name_plural = _("request facts")
        indexes = [models.Index(fields=["team", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.theme}"


class Instrument(BaseModel):
    """The library: model codes of conduct, guides and training offers, in Dutch and English."""

    kind = models.CharField(_("kind"), max_length=16, choices=codes.InstrumentKind.choices)
    theme = models.CharField(_("theme"), max_length=12, choices=codes.Theme.choices, blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_nl = models.TextField(_("summary (Dutch)"))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body_nl = models.TextField(_("text (Dutch)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    link = models.URLField(_("link"), blank=True)
    published = models.BooleanField(_("published"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "title_nl"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.title_nl

    def _localised(self, field: str) -> str:
        from django.utils.translation import get_language

        nl, en = getattr(self, f"{field}_nl"), getattr(self, f"{field}_en")
        if (get_language() or "nl").startswith("en"):
            return str(en or nl)
        return str(nl or en)

    @property
    def title(self) -> str:
        return self._localised("title")

    @property
    def summary(self) -> str:
        return self._localised("summary")

    @property
    def body(self) -> str:
        return self._localised("body")

    @property
    def language_fallback(self) -> bool:
        """True when the English text is missing and the Dutch one is shown instead."""
        from django.utils.translation import get_language

        return (get_language() or "nl").startswith("en") and not self.title_en
