"""Tenants: the Dutch public bodies (rijk, provincie, gemeente, waterschap) and their units."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vib.core.models import BaseModel


class Tier(models.TextChoices):
    RIJK = "rijk", _("National government")
    PROVINCIE = "provincie", _("Province")
    GEMEENTE = "gemeente", _("Municipality")
    WATERSCHAP = "waterschap", _("Water board")


class SizeClass(models.TextChoices):
    """Size classes as the monitor reports them (inhabitants for gemeenten, staff otherwise)."""

    XS = "xs", _("fewer than 20,000 inhabitants")
    S = "s", _("20,000 to 50,000 inhabitants")
    M = "m", _("50,000 to 100,000 inhabitants")
    L = "l", _("100,000 inhabitants or more")
    NA = "", _("not applicable")


class Organisation(BaseModel):
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("Official code: CBS GM0363, PV27, WS0155 or the ministry abbreviation."),
    )
    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    province = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"tier": Tier.PROVINCIE},
    )
    inhabitants = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    staff = models.PositiveIntegerField(_("staff (FTE)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    reference_date = models.DateField(_("reference date"))

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["tier", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def size_class(self) -> str:
        if self.tier != Tier.GEMEENTE or self.inhabitants is None:
            return SizeClass.NA
        if self.inhabitants < 20_000:
            return SizeClass.XS
        if self.inhabitants < 50_000:
            return SizeClass.S
        if self.inhabitants < 100_000:
            return SizeClass.M
        return SizeClass.L


class Unit(BaseModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="units"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.CASCADE
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
