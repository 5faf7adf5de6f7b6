"""The policy checklist as a versioned code list (ADR 0036).

The 13 basic integrity norms (basisnormen integriteit) plus the aggression-and-violence policy
items of the Monitor Integriteit en Veiligheid. A version is never changed once used: a new
wording or a new item is a new version, and answers keep the version they were given under.
Codes are stable across versions so that years can be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Audience(StrEnum):
    STAFF = "staff"  # executives and civil servants: answered by the secretaris
    REPRESENTATIVES = "representatives"  # elected representatives: answered by the griffier


class Domain(StrEnum):
    INTEGRITY = "integrity"
    AGGRESSION = "aggression"


@dataclass(frozen=True)
class Item:
    code: str
    domain: Domain
    label: str | Promise
    audiences: tuple[Audience, ...]
    monitor_question: str = ""  # the organisation questionnaire's question it pre-fills


S, R = Audience.STAFF, Audience.REPRESENTATIVES
BOTH = (S, R)

ITEMS_2026_1: tuple[Item, ...] = (
    Item("attention", Domain.INTEGRITY, _("Integrity is regularly given attention"), BOTH, "O1"),
    Item("code_of_conduct", Domain.INTEGRITY, _("There is a code of conduct"), BOTH, "O2"),
    Item("screening", Domain.INTEGRITY, _("New staff are screened at recruitment"), (S,), "O3"),
    Item(
        "vulnerable_functions",
        Domain.INTEGRITY,
        _("Vulnerable functions and processes have been inventoried"),
        (S,),
        "O4",
    ),
    Item("oath", Domain.INTEGRITY, _("An oath or affirmation is taken"), BOTH, "O5"),
    Item(
        "side_activities",
        Domain.INTEGRITY,
        _("Side activities are declared, registered and published"),
        BOTH,
        "O6",
    ),
    Item(
        "financial_interests",
        Domain.INTEGRITY,
        _("Designated functions declare financial interests"),
        (S,),
        "O7",
    ),
    Item(
        "information_protection",
        Domain.INTEGRITY,
        _("Confidential information is protected"),
        BOTH,
        "O8",
    ),
    Item("gifts", Domain.INTEGRITY, _("There are rules on gifts and invitations"), BOTH, "O9"),
    Item(
        "procurement",
        Domain.INTEGRITY,
        _("Procurement follows integrity procedures"),
        (S,),
        "O10",
    ),
    Item(
        "confidential_adviser",
        Domain.INTEGRITY,
        _("A confidential adviser for integrity has been appointed"),
        BOTH,
        "O11",
    ),
    Item(
        "reporting_procedure",
        Domain.INTEGRITY,
        _("There is a procedure for reporting a suspected wrong"),
        BOTH,
        "O12",
    ),
    Item(
        "investigation_protocol",
        Domain.INTEGRITY,
        _("There is a protocol for investigating integrity violations"),
        BOTH,
        "O13",
    ),
    Item(
        "ag_protocol",
        Domain.AGGRESSION,
        _("There is a protocol on aggression and violence"),
        BOTH,
        "O20",
    ),
    Item(
        "ag_registration",
        Domain.AGGRESSION,
        _("Incidents of aggression and violence are registered"),
        BOTH,
        "O21",
    ),
    Item(
        "ag_coordinator",
        Domain.AGGRESSION,
        _("An aggression and violence coordinator has been appointed"),
        (S,),
        "O22",
    ),
    Item(
        "ag_training",
        Domain.AGGRESSION,
        _("Executives and representatives are trained in dealing with aggression"),
        BOTH,
        "O23",
    ),
    Item(
        "ag_aftercare",
        Domain.AGGRESSION,
        _("Aftercare for victims has been arranged"),
        BOTH,
        "O24",
    ),
)

VERSIONS: dict[str, tuple[Item, ...]] = {"2026.1": ITEMS_2026_1}
CURRENT_VERSION = "2026.1"


def items(version: str = CURRENT_VERSION) -> tuple[Item, ...]:
    return VERSIONS[version]


def item(code: str, version: str = CURRENT_VERSION) -> Item:
    for candidate in VERSIONS[version]:
        if candidate.code == code:
            return candidate
    raise KeyError(code)


def basic_norms(version: str = CURRENT_VERSION) -> tuple[Item, ...]:
    return tuple(i for i in VERSIONS[version] if i.domain == Domain.INTEGRITY)
