"""The roles of docs/domain.md §2 and the capabilities they start with.

These are the *initial* data, loaded by a data migration; an installation changes them as data
(admin or ``vib roles``). Code refers only to capability codes, never to role codes.
"""

from __future__ import annotations

from typing import NamedTuple


class RoleSpec(NamedTuple):
    code: str
    name_nl: str
    name_en: str
    organisation_bound: bool
    capabilities: tuple[str, ...]


# Capabilities of the foundation. Domain apps add theirs in their own data migrations.
ORG_VIEW_MEMBERS = "organisation.view_members"
ORG_MANAGE = "organisation.manage"
ORG_VIEW_UNITS = "organisation.view_units"
AUDIT_VIEW = "audit.view"
SECTOR_AGGREGATES = "sector.view_aggregates"

# The only capabilities that open nothing confidential: the organisation's units, and
# reporting one's own incident. Every other capability is confidential, and so is every role
# that holds one: granting it needs a second person (docs/authorization.md, principle 6).
NON_CONFIDENTIAL_CAPABILITIES = frozenset({ORG_VIEW_UNITS, "incidents.report"})

ROLES: tuple[RoleSpec, ...] = (
    RoleSpec("reporter", "Melder (medewerker)", "Reporter (employee)", True, (ORG_VIEW_UNITS,)),
    RoleSpec("manager", "Leidinggevende", "Manager", True, (ORG_VIEW_UNITS, ORG_VIEW_MEMBERS)),
    RoleSpec(
        "ag_coordinator",
        "Coördinator agressie en geweld",
        "Aggression and violence coordinator",
        True,
        (ORG_VIEW_UNITS, ORG_VIEW_MEMBERS),
    ),
    RoleSpec("hr", "P&O-adviseur", "HR adviser", True, (ORG_VIEW_UNITS, ORG_VIEW_MEMBERS)),
    RoleSpec(
        "integrity_officer",
        "Integriteitscoördinator",
        "Integrity officer",
        True,
        (ORG_VIEW_UNITS, ORG_VIEW_MEMBERS),
    ),
    RoleSpec(
        "confidential_adviser",
        "Vertrouwenspersoon integriteit",
        "Confidential adviser",
        True,
        (ORG_VIEW_UNITS,),
    ),
    RoleSpec("investigator", "Onderzoeker", "Investigator", True, (ORG_VIEW_UNITS,)),
    RoleSpec(
        "compliance_officer", "Compliance officer", "Compliance officer", True, (ORG_VIEW_UNITS,)
    ),
    RoleSpec(
        "registrar",
        "Registrator nevenwerkzaamheden",
        "Side-activities registrar",
        True,
        (ORG_VIEW_UNITS,),
    ),
    RoleSpec(
        "secretaris",
        "Secretaris",
        "Secretary (policy owner)",
        True,
        (ORG_VIEW_UNITS, ORG_VIEW_MEMBERS, AUDIT_VIEW),
    ),
    RoleSpec(
        "griffier",
        "Griffier",
        "Clerk of the council",
        True,
        (ORG_VIEW_UNITS, ORG_VIEW_MEMBERS),
    ),
    RoleSpec(
        "org_admin",
        "Functioneel beheerder",
        "Organisation admin",
        True,
        (ORG_VIEW_UNITS, ORG_VIEW_MEMBERS, ORG_MANAGE, AUDIT_VIEW),
    ),
    RoleSpec(
        "monitor_researcher", "Monitoronderzoeker", "Monitor researcher", True, (ORG_VIEW_UNITS,)
    ),
    RoleSpec("sector_analyst", "Sectoranalist", "Sector analyst", False, (SECTOR_AGGREGATES,)),
    RoleSpec("platform_admin", "Platformbeheerder", "Platform admin", False, ()),
)
