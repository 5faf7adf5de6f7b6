from django.db import migrations

# A frozen copy: a data migration must not change when vib.accounts.roles changes later.
ROLES = [
    ("reporter", "Melder (medewerker)", "Reporter (employee)", True, ["organisation.view_units"]),
    (
        "manager",
        "Leidinggevende",
        "Manager",
        True,
        ["organisation.view_units", "organisation.view_members"],
    ),
    (
        "ag_coordinator",
        "Coördinator agressie en geweld",
        "Aggression and violence coordinator",
        True,
        ["organisation.view_units", "organisation.view_members"],
    ),
    (
        "hr",
        "P&O-adviseur",
        "HR adviser",
        True,
        ["organisation.view_units", "organisation.view_members"],
    ),
    (
        "integrity_officer",
        "Integriteitscoördinator",
        "Integrity officer",
        True,
        ["organisation.view_units", "organisation.view_members"],
    ),
    (
        "confidential_adviser",
        "Vertrouwenspersoon integriteit",
        "Confidential adviser",
        True,
        ["organisation.view_units"],
    ),
    ("investigator", "Onderzoeker", "Investigator", True, ["organisation.view_units"]),
    (
        "compliance_officer",
        "Compliance officer",
        "Compliance officer",
        True,
        ["organisation.view_units"],
    ),
    (
        "registrar",
        "Registrator nevenwerkzaamheden",
        "Side-activities registrar",
        True,
        ["organisation.view_units"],
    ),
    (
        "secretaris",
        "Secretaris",
        "Secretary (policy owner)",
        True,
        ["organisation.view_units", "organisation.view_members", "audit.view"],
    ),
    (
        "griffier",
        "Griffier",
        "Clerk of the council",
        True,
        ["organisation.view_units", "organisation.view_members"],
    ),
    (
        "org_admin",
        "Functioneel beheerder",
        "Organisation admin",
        True,
        [
            "organisation.view_units",
            "organisation.view_members",
            "organisation.manage",
            "audit.view",
        ],
    ),
    (
        "monitor_researcher",
        "Monitoronderzoeker",
        "Monitor researcher",
        True,
        ["organisation.view_units"],
    ),
    ("sector_analyst", "Sectoranalist", "Sector analyst", False, ["sector.view_aggregates"]),
    ("platform_admin", "Platformbeheerder", "Platform admin", False, []),
]


def load(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RoleCapability = apps.get_model("accounts", "RoleCapability")
    for order, (code, nl, en, bound, capabilities) in enumerate(ROLES):
        role, _ = Role.objects.update_or_create(
            code=code,
            defaults={"name_nl": nl, "name_en": en, "organisation_bound": bound, "order": order},
        )
        for capability in capabilities:
            RoleCapability.objects.get_or_create(role=role, capability=capability)


def unload(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.filter(code__in=[r[0] for r in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
