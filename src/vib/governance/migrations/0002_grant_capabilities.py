from django.db import migrations

# A frozen copy of vib.governance.capabilities.GRANTS (data migrations must not change later).
GRANTS = {
    "governance.manage_processes": ["secretaris", "integrity_officer", "org_admin"],
    "governance.view_processes": [
        "secretaris",
        "integrity_officer",
        "org_admin",
        "manager",
        "compliance_officer",
        "registrar",
    ],
    "governance.answer_checklist_staff": ["secretaris"],
    "governance.answer_checklist_representatives": ["griffier"],
    "governance.view_checklist": ["secretaris", "griffier", "integrity_officer", "org_admin"],
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
        ("governance", "0001_vulnerable_processes_and_checklist"),
        ("accounts", "0002_load_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
