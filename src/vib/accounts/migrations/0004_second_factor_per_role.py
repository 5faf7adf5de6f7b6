from django.db import migrations

# Roles that see no personal data of others log in with a password alone.
WITHOUT_SECOND_FACTOR = ["reporter", "monitor_researcher", "sector_analyst"]


def forwards(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(code__in=WITHOUT_SECOND_FACTOR).update(requires_second_factor=False)


def backwards(apps, schema_editor):
    apps.get_model("accounts", "Role").objects.update(requires_second_factor=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_identity_providers_and_second_factor")]
    operations = [migrations.RunPython(forwards, backwards)]
