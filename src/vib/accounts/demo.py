"""Demo people: one per role in tenant A, a few in the other tenants. All synthetic."""

from __future__ import annotations

import hashlib

from django_otp.plugins.otp_totp.models import TOTPDevice

from vib.accounts.models import Role, User
from vib.accounts.selectors import requires_second_factor
from vib.accounts.services import role_assign, user_create
from vib.core.demo import DEMO_DOMAIN, DemoContext, DemoLogin, demo_password

# (address local part, synthetic name, tenant key or None, roles, function)
PEOPLE: list[tuple[str, str, str | None, list[str], str]] = [
    ("medewerker", "Sanne Voorbeeld", "a", ["reporter"], "handhaver"),
    ("leidinggevende", "Bram Testhuis", "a", ["reporter", "manager"], "teamleider"),
    ("coordinator-ag", "Fatima Proefstra", "a", ["reporter", "ag_coordinator"], "arbo-coördinator"),
    ("po", "Joris Demodijk", "a", ["reporter", "hr"], "P&O-adviseur"),
    (
        "integriteit",
        "Eva Fictief",
        "a",
        ["reporter", "integrity_officer"],
        "integriteitscoördinator",
    ),
    ("vertrouwenspersoon", "Karim Steekproef", "a", ["confidential_adviser"], "vertrouwenspersoon"),
    ("onderzoeker", "Lotte Casus", "a", ["investigator"], "extern onderzoeker"),
    ("compliance", "Noah Register", "a", ["reporter", "compliance_officer"], "compliance officer"),
    ("registrator", "Iris Nevenaan", "a", ["reporter", "registrar"], "juridisch adviseur"),
    ("secretaris", "Pieter Beleid", "a", ["reporter", "secretaris"], "gemeentesecretaris"),
    ("griffier", "Mila Raadhuis", "a", ["reporter", "griffier"], "griffier"),
    ("burgemeester", "Hendrik Ambtsketen", "a", ["reporter"], "burgemeester"),
    ("wethouder", "Yara Portefeuille", "a", ["reporter"], "wethouder"),
    ("raadslid", "Daan Motie", "a", ["reporter"], "raadslid"),
    ("beheerder", "Sophie Instelling", "a", ["reporter", "org_admin"], "functioneel beheerder"),
    ("monitor", "Ruben Respons", "a", ["monitor_researcher"], "onderzoeker"),
    ("statenlid", "Anouk Provinciaal", "b", ["reporter"], "Statenlid"),
    (
        "coordinator-ag-provincie",
        "Thijs Dijkstra-Demo",
        "b",
        ["reporter", "ag_coordinator"],
        "arbo-coördinator",
    ),
    (
        "beheerder-provincie",
        "Lisa Voorbeeldt",
        "b",
        ["reporter", "org_admin"],
        "functioneel beheerder",
    ),
    ("dijkgraaf", "Gerrit Waterpeil", "c", ["reporter"], "dijkgraaf"),
    (
        "integriteit-rijk",
        "Olga Rijksdemo",
        "d",
        ["reporter", "integrity_officer"],
        "integriteitscoördinator",
    ),
    ("sectoranalist", "Victor Totaal", None, ["sector_analyst"], "sectoranalist"),
]


def _describe(roles: list[str], tenant: str) -> str:
    names = Role.objects.in_bulk(roles)
    return f"{', '.join(str(names[r]) for r in roles)} — {tenant}"


def _demo_totp_key(email: str, seed: int) -> str:
    """A reproducible TOTP key per demo account; the second-factor page shows its code."""
    return hashlib.sha256(f"{seed}:totp:{email}".encode()).hexdigest()[:40]


def give_demo_second_factor(user: User, seed: int) -> None:
    """A confirmed TOTP device whose code the demo-mode second-factor page shows."""
    TOTPDevice.objects.create(
        user=user, name="Demo", confirmed=True, key=_demo_totp_key(user.email, seed)
    )


def build(ctx: DemoContext) -> None:
    tenants = ctx.shared["tenants"]
    users: dict[str, User] = {}
    for local, name, key, roles, function in PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        password = ctx.password(email)
        user = user_create(email=email, full_name=name, password=password)
        organisation = tenants[key] if key else None
        for role in roles:
            role_assign(user=user, role=role, organisation=organisation, function=function)
        users[local] = user
        if requires_second_factor(user):
            give_demo_second_factor(user, ctx.seed)
        ctx.logins.append(
            DemoLogin(email, password, _describe(roles, organisation.name if organisation else "—"))
        )
    admin_email = f"platformbeheer@{DEMO_DOMAIN}"
    admin = user_create(
        email=admin_email,
        full_name="Platformbeheer Demo",
        password=ctx.password(admin_email),
        is_staff=True,
    )
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    role_assign(user=admin, role="platform_admin", organisation=None)
    give_demo_second_factor(admin, ctx.seed)
    ctx.logins.append(DemoLogin(admin_email, ctx.password(admin_email), "Platformbeheerder"))
    ctx.shared["users"] = users


def stored_logins() -> list[DemoLogin]:
    """The demo log-ins of an existing demo database (passwords follow from the seed)."""
    return [
        DemoLogin(user.email, demo_password(user.email), user.full_name)
        for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("email")
    ]
