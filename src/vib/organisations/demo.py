"""Demo part of the organisations app: the shipped registry and units for the demo tenants."""

from __future__ import annotations

from vib.core.demo import DemoContext
from vib.organisations.models import Organisation
from vib.organisations.services import registry_load_shipped, unit_create

# Real public bodies (public registry data); all people in the demo are synthetic.
DEMO_TENANTS = {
    "a": "GM0344",  # Utrecht
    "b": "PV26",  # Provincie Utrecht
    "c": "WS0636",  # Hoogheemraadschap De Stichtse Rijnlanden
    "d": "BZK",  # Ministerie van Binnenlandse Zaken en Koninkrijksrelaties
}

UNITS = {
    "a": ["Publiekszaken", "Stadsbeheer", "Handhaving", "Bestuursondersteuning"],
    "b": ["Mobiliteit", "Ruimte en Groen", "Bestuurszaken"],
    "c": ["Waterbeheer", "Bedrijfsvoering"],
    "d": ["Directie Democratie en Bestuur", "Bedrijfsvoering"],
}


def build(ctx: DemoContext) -> None:
    registry_load_shipped()
    tenants: dict[str, Organisation] = {}
    for key, code in DEMO_TENANTS.items():
        organisation = Organisation.objects.get(code=code)
        tenants[key] = organisation
        for name in UNITS[key]:
            unit_create(organisation=organisation, name=name)
    ctx.shared["tenants"] = tenants
