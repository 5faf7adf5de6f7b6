from django.db import migrations

# A frozen copy: a data migration must not change when vib.surveys.capabilities changes later.
GRANTS = {
    "surveys.manage_waves": ["monitor_researcher"],
    "surveys.view_waves": ["monitor_researcher", "secretaris"],
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
        ("surveys", "0001_waves_invitations_responses"),
        ("accounts", "0002_load_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
