from django.db import migrations

# A frozen copy of vib.disclosures.capabilities.GRANTS (data migrations must not change later).
GRANTS = {
    "disclosures.register": ["registrar"],
    "disclosures.assess_activities": ["manager", "compliance_officer"],
    "disclosures.assess_financial_interests": ["compliance_officer"],
}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RoleCapability = apps.get_model("accounts", "RoleCapability")
    for capability, roles in GRANTS.items():
        for role in Role.objects.filter(code__in=roles):
            RoleCapability.objects.get_or_create(role=role, capability=capability)


def revoke(apps, schema_editor):
    apps.get_model("accounts", "RoleCapability").objects.filter(capability__in=GRANTS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disclosures", "0001_register"),
        ("accounts", "0002_load_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
