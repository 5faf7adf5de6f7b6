"""The strata of the monitor: tier x function (and gender), the cells the analysis weights to."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vib.organisations.models import Tier

# Function codes of the frame, with their label. Office holders, then staff and the two
# respondents of the organisation questionnaire.
FUNCTIONS: dict[str, object] = {
    "burgemeester": _("mayor (burgemeester)"),
    "wethouder": _("alderman (wethouder)"),
    "raadslid": _("councillor (raadslid)"),
    "cdk": _("King's Commissioner (CdK)"),
    "gedeputeerde": _("provincial executive (gedeputeerde)"),
    "statenlid": _("provincial councillor (Statenlid)"),
    "dijkgraaf": _("water board chair (dijkgraaf)"),
    "db_lid": _("water board executive (DB-lid)"),
    "ab_lid": _("water board member (AB-lid)"),
    "medewerker": _("employee"),
    "secretaris": _("secretary (secretaris)"),
    "griffier": _("clerk (griffier)"),
}
OFFICE_HOLDER_FUNCTIONS = (
    "burgemeester",
    "wethouder",
    "raadslid",
    "cdk",
    "gedeputeerde",
    "statenlid",
    "dijkgraaf",
    "db_lid",
    "ab_lid",
)
GENDERS: dict[str, object] = {
    "v": pgettext_lazy("gender", "woman"),
    "m": pgettext_lazy("gender", "man"),
    "x": pgettext_lazy("gender", "other"),
    "": pgettext_lazy("gender", "unknown"),
}
TIERS = dict(Tier.choices)

# How the free-text function of a role assignment maps onto a frame function.
FUNCTION_ALIASES = {
    "burgemeester": "burgemeester",
    "wethouder": "wethouder",
    "raadslid": "raadslid",
    "gemeenteraadslid": "raadslid",
    "commissaris van de koning": "cdk",
    "cdk": "cdk",
    "gedeputeerde": "gedeputeerde",
    "statenlid": "statenlid",
    "dijkgraaf": "dijkgraaf",
    "watergraaf": "dijkgraaf",
    "heemraad": "db_lid",
    "db-lid": "db_lid",
    "ab-lid": "ab_lid",
}


def stratum_key(tier: str, function: str) -> str:
    return f"{tier}:{function}"


def function_label(code: str) -> str:
    return str(FUNCTIONS.get(code, code))


def tier_label(code: str) -> str:
    return str(TIERS.get(code, code))
