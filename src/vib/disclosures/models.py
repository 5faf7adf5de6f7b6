"""The register of side activities, financial interests and gifts (docs/domain.md §5).

A ``Declarant`` is one person's place in the register of one organisation: the office they hold
there decides what the law asks them to declare and what is published (``publication.py``).
Side activities, their yearly income and gifts may be published; financial interests never are.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.crypto import EncryptedTextField
from vib.core.models import BaseModel


class Office(models.TextChoices):
    """The kind of position, as far as the disclosure rules are concerned."""

    EMPLOYEE = "employee", _("Employee")
    DESIGNATED_OFFICIAL = "designated_official", _("Official in a designated function")
    REPRESENTATIVE = "representative", _("Elected representative")
    EXECUTIVE_FULL_TIME = "executive_full_time", _("Full-time executive")
    EXECUTIVE_PART_TIME = "executive_part_time", _("Part-time executive")


class DesignatedFunction(BaseModel):
    """A function whose holders must declare financial interests and whose side activities
    are published (designated by the organisation)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="designated_functions",
    )
    name = models.CharField(_("function"), max_length=120)
    reason = models.TextField(_("why it is designated"), blank=True)
    financial_interests = models.BooleanField(
        _("holders declare financial interests"), default=True
    )
    designated_on = models.DateField(_("designated on"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("designated function")
        verbose_name_plural = _("designated functions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="designated_function_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Declarant(BaseModel):
    """A person in the register of one organisation, with the office that sets their duties."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="declarants",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarants",
    )
    name = models.CharField(_("name as published"), max_length=200)
    office = models.CharField(_("office"), max_length=24, choices=Office.choices)
    function = models.CharField(
        _("main function"), max_length=120, help_text=_("E.g. wethouder, raadslid, inkoper.")
    )
    designated_function = models.ForeignKey(
        DesignatedFunction,
        verbose_name=_("designated function"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="holders",
    )
    appointed_on = models.DateField(_("appointed on"))
    left_on = models.DateField(_("left office on"), null=True, blank=True)
    no_side_activities_declared_on = models.DateField(
        _("declared to have no side activities on"), null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("declarant")
        verbose_name_plural = _("declarants")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(user__isnull=False, left_on__isnull=True),
                name="declarant_one_current_per_user",
            )
        ]
        indexes = [models.Index(fields=["organisation", "office"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.function})"


class ActivityStatus(models.TextChoices):
    DECLARED = "declared", _("declared, awaiting registration")
    REGISTERED = "registered", _("registered")
    ENDED = "ended", _("ended")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Decision(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    RESTRICTED = "restricted", _("allowed with restrictions")
    REFUSED = "refused", _("refused")


kvk_validator = RegexValidator(r"^\d{8}$", _("A KvK number has exactly 8 digits."))


class SideActivity(BaseModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="side_activities",
    )
    declarant = models.ForeignKey(
        Declarant,
        verbose_name=_("declarant"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    role = models.CharField(_("role"), max_length=120, help_text=_("E.g. chair, board member."))
    body = models.CharField(_("organisation or body"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[kvk_validator]
    )
    description = models.TextField(_("description"), blank=True)
    by_virtue_of_office = models.BooleanField(
        _("by virtue of office (q.q.)"),
        default=False,
        help_text=_("Held because of the office itself, not in a personal capacity."),
    )
    paid = models.BooleanField(_("paid"), default=False)
    hours_per_month = models.DecimalField(
        _("hours per month"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    intention = models.BooleanField(
        _("declared as an intention"),
        default=False,
        help_text=_("Declared before taking it up (a wethouder tells the council beforehand)."),
    )
    council_informed_on = models.DateField(_("council informed on"), null=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.DECLARED
    )
    declared_at = models.DateTimeField(_("declared at"))
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    decision = models.CharField(
        _("assessment"), max_length=12, choices=Decision.choices, blank=True
    )
    restrictions = models.TextField(_("restrictions"), blank=True)
    confirmed_on = models.DateField(_("last confirmed on"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "body"]
        verbose_name = _("side activity")
        verbose_name_plural = _("side activities")
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["kvk_number"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="side_activity_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}, {self.body}"


class ActivityEvent(models.Model):
    """Append-only history of a side activity: status changes and assessments."""

    activity = models.ForeignKey(SideActivity, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    decision = models.CharField(
        _("assessment"), max_length=12, choices=Decision.choices, blank=True
    )
    restrictions = models.TextField(_("restrictions"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("side activity event")
        verbose_name_plural = _("side activity events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.from_status}→{self.to_status} {self.decision}"

    # The history shows what the registrar saw: the Dutch label, never the stored code.
    @property
    def from_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(code: str) -> str:
    try:
        return str(ActivityStatus(code).label) if code else ""
    except ValueError:  # a status since retired: its code is all the history holds
        return code


class ActivityIncome(BaseModel):
    """Income from one side activity in one calendar year (for those who must publish it)."""

    activity = models.ForeignKey(SideActivity, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("calendar year"))
    amount = models.DecimalField(
        _("income (euros)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    declared_on = models.DateField(_("declared on"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("income from a side activity")
        verbose_name_plural = _("income from side activities")
        constraints = [
            models.UniqueConstraint(fields=["activity", "year"], name="income_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class InterestKind(models.TextChoices):
    SHARES = "shares", _("shares")
    SECURITIES = "securities", _("other securities")
    CLAIMS = "claims", _("claims")
    REAL_ESTATE = "real_estate", _("real estate")
    HOLDING = "holding", _("interest in a company or holding")
    DEBT = "debt", _("debts and mortgages")
    OTHER = "other", _("other")


class InterestHolder(models.TextChoices):
    SELF = "self", _("myself")
    PARTNER = "partner", _("my partner")
    CHILD = "child", _("a child")


class InterestOccasion(models.TextChoices):
    FIRST = "first", _("first declaration")
    CHANGE = "change", _("change in an interest")
    NEW_FUNCTION = "new_function", _("change of function")


class InterestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    NO_CONFLICT = "no_conflict", _("assessed: no conflict")
    MEASURES = "measures", _("assessed: measures needed")


class FinancialInterest(BaseModel):
    """Confidential: only the compliance officer (and the declarant's own receipt) sees it."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="financial_interests",
    )
    declarant = models.ForeignKey(
        Declarant,
        verbose_name=_("declarant"),
        on_delete=models.CASCADE,
        related_name="financial_interests",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InterestKind.choices)
    holder = models.CharField(_("held by"), max_length=8, choices=InterestHolder.choices)
    occasion = models.CharField(_("occasion"), max_length=12, choices=InterestOccasion.choices)
    counterparty = models.CharField(
        _("company or counterparty"),
        max_length=200,
        blank=True,
        help_text=_("Used to detect conflicts of interest; never published."),
    )
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[kvk_validator]
    )
    description = EncryptedTextField(_("description"))
    declared_at = models.DateTimeField(_("declared at"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InterestStatus.choices,
        default=InterestStatus.SUBMITTED,
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessment_note = EncryptedTextField(_("assessment"), blank=True, default="")

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("financial interest")
        verbose_name_plural = _("financial interests")
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.declared_at:%Y-%m-%d})"


class GiftDisposition(models.TextChoices):
    KEPT = "kept", _("kept")
    RETURNED = "returned", _("returned or declined")
    HANDED_OVER = "handed_over", _("handed over to the organisation")
    CHARITY = "charity", _("given to charity")


GIFT_THRESHOLD = Decimal(50)


class Gift(BaseModel):
    """A gift or invitation received by virtue of office."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="gifts",
    )
    declarant = models.ForeignKey(
        Declarant, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="gifts"
    )
    received_on = models.DateField(_("received on"))
    description = models.CharField(_("gift"), max_length=200)
    giver = models.CharField(_("given by"), max_length=200)
    estimated_value = models.DecimalField(
        _("estimated value (euros)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    disposition = models.CharField(
        _("what happened to it"), max_length=12, choices=GiftDisposition.choices
    )
    registered_at = models.DateTimeField(_("registered at"))

    class Meta:
        ordering = ["-received_on"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")

    @property
    def above_threshold(self) -> bool:
        return self.estimated_value > GIFT_THRESHOLD

    def __str__(self) -> str:
        return self.description


class ConfirmationRound(BaseModel):
    """The yearly round in which everyone in the register re-confirms their declarations."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="confirmation_rounds",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opened_on = models.DateField(_("opened on"))
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("confirmation round")
        verbose_name_plural = _("confirmation rounds")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="confirmation_round_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class Confirmation(models.Model):
    round = models.ForeignKey(ConfirmationRound, on_delete=models.CASCADE, related_name="items")
    declarant = models.ForeignKey(Declarant, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "declarant"], name="confirmation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.declarant_id}"
