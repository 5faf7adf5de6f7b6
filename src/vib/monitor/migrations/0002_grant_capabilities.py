from django.db import migrations

# A frozen copy: a data migration must not change when vib.monitor.capabilities changes later.
GRANTS = {
    "monitor.view_reports": ["monitor_researcher", "sector_analyst"],
    "monitor.run_reports": ["monitor_researcher"],
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
        ("monitor", "0001_report_runs"),
        ("accounts", "0002_load_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
