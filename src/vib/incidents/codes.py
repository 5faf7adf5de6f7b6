"""The code lists of incident registration (docs/domain.md §3).

Stored values are Dutch (they are also the API's enum values and the columns of the CSV
export and import, as the NL GOV API rules and GIR exports expect); labels are English
msgids, translated to Dutch in the interface. See docs/adr/0010-incident-data-model.md.

Incident types and victim groups are multi-valued and stored as bit masks on the incident
(one integer column each): a filter is one SQL expression, a dashboard counts every type in
one pass, and no join table is needed for the 2-million-row case.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REPORTED = "gemeld", _("reported")
    HANDLING = "in_behandeling", _("being handled")
    MEASURES = "maatregelen", _("measures taken")
    AFTERCARE = "nazorg", _("aftercare")
    CLOSED = "afgesloten", _("closed")


class PlaceKind(models.TextChoices):
    OFFICE = "balie_kantoor", _("counter or office")
    FIELD = "buiten", _("field or outdoors")
    HOME = "thuis", _("at home or a private address")
    ONLINE = "online", _("online")
    OTHER = "anders", _("somewhere else")


class Channel(models.TextChoices):
    FACE_TO_FACE = "persoonlijk", _("face to face")
    PHONE = "telefoon", _("by phone")
    MAIL = "brief_email", _("by letter or e-mail")
    SOCIAL_MEDIA = "sociale_media", _("on social media")
    AT_HOME = "thuis", _("at home")
    OTHER = "anders", _("another way")


class Platform(models.TextChoices):
    X = "x", "X (Twitter)"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    LINKEDIN = "linkedin", "LinkedIn"
    YOUTUBE = "youtube", "YouTube"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    OTHER = "anders", _("another platform")


class Severity(models.TextChoices):
    """How serious the incident felt to the person it happened to."""

    LESS = "minder_ernstig", _("less serious")
    SERIOUS = "ernstig", _("serious")
    VERY = "zeer_ernstig", _("very serious")


class IncidentType(models.TextChoices):
    VERBAL = "verbaal", _("verbal aggression")
    DISCRIMINATORY = "discriminatie", _("discriminatory remarks")
    THREAT = "bedreiging", _("threat")
    INTIMIDATION = "intimidatie", _("intimidation (stalking, doxing, unwanted visits at home)")
    SEXUAL = "seksuele_intimidatie", _("sexual intimidation")
    PHYSICAL = "fysiek", _("physical violence")
    PROPERTY = "eigendommen", _("damage to or theft of property")


class VictimGroup(models.TextChoices):
    EMPLOYEE = "medewerker", _("employee")
    EXECUTIVE = "bestuurder", _("executive")
    REPRESENTATIVE = "volksvertegenwoordiger", _("elected representative")


class PerpetratorKind(models.TextChoices):
    UNKNOWN = "onbekend", _("unknown")
    KNOWN = "bekend", _("known person")


class PerpetratorCategory(models.TextChoices):
    CITIZEN = "burger", _("citizen")
    CLIENT = "klant", _("client")
    COLLEAGUE = "collega", _("colleague")
    OTHER = "anders", _("other")
    UNKNOWN = "onbekend", _("unknown")


class EmotionalImpact(models.TextChoices):
    NONE = "geen", _("none")
    SOME = "enige", _("some")
    SEVERE = "ernstig", _("severe")


class MeasureKind(models.TextChoices):
    CONVERSATION = "gesprek", _("conversation")
    WARNING_LETTER = "waarschuwingsbrief", _("warning letter")
    CONTACT_RESTRICTION = "contactbeperking", _("contact restriction")
    ACCESS_RESTRICTION = "toegangsbeperking", _("access restriction")
    SUSPENSION = "opschorting_dienstverlening", _("suspension of services")
    HOUSE_BAN = "huisverbod", _("ban from the premises")
    DAMAGE_RECOVERY = "schadeverhaal", _("recovery of damages")
    OTHER = "anders", _("other measure")


class PoliceReportKind(models.TextChoices):
    NOTIFICATION = "melding", _("report to the police (no charges)")
    COMPLAINT = "aangifte", _("criminal complaint (aangifte)")


class CaseOutcome(models.TextChoices):
    PENDING = "lopend", _("pending")
    DISMISSED = "geseponeerd", _("dismissed by the prosecutor")
    PENALTY_ORDER = "strafbeschikking", _("penalty order by the prosecutor")
    CONVICTED = "veroordeeld", _("convicted")
    ACQUITTED = "vrijgesproken", _("acquitted")
    UNKNOWN = "onbekend", _("unknown")


class AftercareKind(models.TextChoices):
    FIRST_CONTACT = "eerste_contact", _("first contact")
    FOLLOW_UP_2W = "opvolging_2_weken", _("follow-up after 2 weeks")
    FOLLOW_UP_6W = "opvolging_6_8_weken", _("follow-up after 6 to 8 weeks")
    REPEAT_OFFER = "herhaald_aanbod", _("offer repeated")
    EXTRA = "extra_contact", _("additional contact")


class AftercareOutcome(models.TextChoices):
    ACCEPTED = "aanvaard", _("contact made, aftercare accepted")
    DECLINED = "afgeslagen", _("aftercare declined")
    REFERRED = "verwezen", _("referred")


class Referral(models.TextChoices):
    SOCIAL_WORK = "bedrijfsmaatschappelijk_werk", _("company social work")
    OCCUPATIONAL_HEALTH = "bedrijfsarts", _("occupational health service")
    VERTROUWENSLIJN = "vertrouwenslijn", _("Vertrouwenslijn")
    TRAUMA_CARE = "psychotrauma", _("Instituut voor Psychotrauma or trauma care")
    VICTIM_SUPPORT = "slachtofferhulp", _("Victim Support Netherlands")
    OTHER = "anders", _("other")


# --- bit masks -------------------------------------------------------------------------------

TYPE_BITS: dict[str, int] = {value: 1 << i for i, value in enumerate(IncidentType.values)}
GROUP_BITS: dict[str, int] = {value: 1 << i for i, value in enumerate(VictimGroup.values)}
ALL_TYPES = sum(TYPE_BITS.values())


def to_mask(values: Iterable[str], bits: dict[str, int]) -> int:
    """The mask of ``values``; an unknown value is a ``KeyError`` (validate before)."""
    mask = 0
    for value in values:
        mask |= bits[value]
    return mask


def from_mask(mask: int, bits: dict[str, int]) -> list[str]:
    """The values in ``mask``, in code-list order."""
    return [value for value, bit in bits.items() if mask & bit]


def label_of(choices: type[models.TextChoices], value: str) -> str:
    """The translated label of ``value`` (the value itself when it is not in the list)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
