from django.db import migrations

# A frozen copy of vib.support.capabilities.GRANTS (data migrations must not change later).
GRANTS = {
    "support.request_on_behalf": ["griffier", "secretaris"],
    "support.view_statistics": ["sector_analyst"],
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
        ("support", "0001_help_requests_teams_library"),
        ("accounts", "0002_load_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
