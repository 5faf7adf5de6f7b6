"""API tokens get scopes (issue #15, item 11). Tokens made before had no limit: they keep every
scope of the modules that had an API then, so no client breaks; replace them with narrower
tokens (docs/api.md)."""

from django.db import migrations, models

EVERY_SCOPE_THEN = " ".join(
    f"{module}:{access}"
    for module in ("disclosures", "governance", "incidents", "integrity", "organisations")
    for access in ("read", "write")
)


def existing_tokens_keep_their_access(apps, schema_editor):
    apps.get_model("accounts", "ApiToken").objects.update(scopes=EVERY_SCOPE_THEN)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_role_grant_requests")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.CharField(blank=True, max_length=500, verbose_name="scopes"),
        ),
        migrations.RunPython(existing_tokens_keep_their_access, migrations.RunPython.noop),
    ]
