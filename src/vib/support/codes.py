"""Code lists of the support desk (values are stable codes; labels are translatable)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The home-security allowance: at most this much approved per office holder per calendar year
#: (Netwerk Weerbaar Bestuur, "tegemoetkoming beveiligingsmaatregelen"). Stored on every
#: ``AllowanceYear`` when it is opened, so a later change does not rewrite earlier years
#: (ADR 0043).
ALLOWANCE_CAP = Decimal("2500.00")


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")


class MemberRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Team coordinator")
    ADVISER = "adviser", _("Confidential adviser")
    EXPERT = "expert", _("Expert")


class Expertise(models.TextChoices):
    NONE = "", _("none")
    SECURITY = "security", _("Security")
    LEGAL = "legal", _("Legal aid")
    AFTERCARE = "aftercare", _("Aftercare")
    INTEGRITY = "integrity", _("Integrity investigation")


class Theme(models.TextChoices):
    SAFETY = "safety", _("Safety: threats, intimidation, aggression")
    ONLINE_HATE = "online_hate", _("Online hate and threats on social media")
    INTEGRITY = "integrity", _("Administrative integrity: a dilemma or an accusation")
    SUBVERSION = "subversion", _("Subversion by organised crime")
    FAMILY = "family", _("Aftercare for partner or family")


class Urgency(models.TextChoices):
    ACUTE = "acute", _("Acute: I am in danger now")
    URGENT = "urgent", _("Urgent: I need contact within a day")
    NORMAL = "normal", _("Not urgent: within a few working days")


class Function(models.TextChoices):
    """The political offices the desk serves (docs/domain.md §2)."""

    MAYOR = "burgemeester", _("Mayor (burgemeester)")
    ALDERMAN = "wethouder", _("Alderman (wethouder)")
    COUNCILLOR = "raadslid", _("Council member (raadslid)")
    COMMITTEE = "commissielid", _("Committee member or steunfractielid")
    KINGS_COMMISSIONER = "cdk", _("King's Commissioner")
    DEPUTY = "gedeputeerde", _("Provincial executive (gedeputeerde)")
    STATES_MEMBER = "statenlid", _("Member of the Provincial Council (Statenlid)")
    DIKE_REEVE = "dijkgraaf", _("Dike reeve (dijkgraaf)")
    WATER_BOARD_EXECUTIVE = "db_waterschap", _("Member of a water board's executive board")
    WATER_BOARD_MEMBER = "ab_waterschap", _("Member of a water board's general board")
    MINISTER = "bewindspersoon", _("Minister or state secretary")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Contact(models.TextChoices):
    PHONE = "phone", _("By phone")
    EMAIL = "email", _("By e-mail")
    PLATFORM = "platform", _("Here, on the platform")


class ReferralTarget(models.TextChoices):
    INCIDENT = "incident", _("Incident report in the own organisation")
    INTEGRITY = "integrity", _("Integrity advice case in the own organisation")


class ReferralStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for consent")
    CONSENTED = "consented", _("Consent given")
    DECLINED = "declined", _("Consent refused")
    CREATED = "created", _("Created in the organisation")


class InstrumentKind(models.TextChoices):
    CODE_OF_CONDUCT = "code_of_conduct", _("Model code of conduct")
    GUIDE = "guide", _("Guide")
    TRAINING = "training", _("Training")
