from django.db import migrations

# A frozen copy of vib.incidents.capabilities.INITIAL_GRANTS (data migrations must not change).
GRANTS = {
    "reporter": ["incidents.report"],
    "manager": [
        "incidents.report",
        "incidents.report_on_behalf",
        "incidents.handle",
        "incidents.view_statistics",
    ],
    "ag_coordinator": [
        "incidents.report",
        "incidents.report_on_behalf",
        "incidents.handle",
        "incidents.coordinate",
        "incidents.view_statistics",
        "incidents.export",
    ],
    "hr": [
        "incidents.report",
        "incidents.handle",
        "incidents.view_statistics",
        "incidents.export",
    ],
    "secretaris": ["incidents.report", "incidents.view_statistics"],
    "griffier": ["incidents.report", "incidents.view_statistics"],
}
CAPABILITIES = sorted({code for codes in GRANTS.values() for code in codes})


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    RoleCapability = apps.get_model("accounts", "RoleCapability")
    for role in Role.objects.filter(code__in=GRANTS):
        for capability in GRANTS[role.code]:
            RoleCapability.objects.get_or_create(role=role, capability=capability)


def revoke(apps, schema_editor):
    apps.get_model("accounts", "RoleCapability").objects.filter(
        capability__in=CAPABILITIES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_incidents_records_aftercare_evidence"),
        ("accounts", "0002_load_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
