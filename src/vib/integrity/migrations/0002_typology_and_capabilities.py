from django.db import migrations

# Frozen copies: a data migration must not change when the code lists change later.
RIJK_2023 = [
    (
        "financial",
        "Financial violations (fraud, theft, corruption)",
        "Financiële integriteitsschendingen (fraude, diefstal, corruptie)",
    ),
    (
        "conflict_of_interest",
        "Misuse of position and conflicts of interest",
        "Misbruik van positie en belangenverstrengeling",
    ),
    ("information", "Leaking and misuse of information", "Lekken en misbruik van informatie"),
    ("powers", "Misuse of powers", "Misbruik van bevoegdheden"),
    ("force", "Misuse of powers of force", "Misbruik van geweldsbevoegdheden"),
    (
        "behaviour",
        "Undesirable behaviour (aggression, bullying, sexual harassment, discrimination)",
        "Ongewenste omgangsvormen (agressie, pesten, seksuele intimidatie, discriminatie)",
    ),
    ("private_life", "Misconduct in private life", "Misdragingen in de privésfeer"),
    (
        "resources",
        "Improper use of service resources or breaking internal rules",
        "Misbruik van dienstmiddelen of overtreding van interne regels",
    ),
    (
        "wrong",
        "A wrong (misstand) under the whistleblower procedure",
        "Een misstand (klokkenluidersregeling)",
    ),
]

GRANTS = {
    "integrity_officer": [
        "integrity.handle_cases",
        "integrity.view_case_list",
        "integrity.view_report",
        "integrity.manage_settings",
    ],
    "investigator": ["integrity.handle_cases"],
    "confidential_adviser": ["integrity.advise"],
    "secretaris": ["integrity.view_report"],
}


def load(apps, schema_editor):
    Typology = apps.get_model("integrity", "ViolationTypology")  # noqa: N806
    Category = apps.get_model("integrity", "ViolationCategory")  # noqa: N806
    typology, _ = Typology.objects.update_or_create(
        code="rijk",
        version="2023",
        defaults={"name": "Jaarrapportage Bedrijfsvoering Rijk", "current": True},
    )
    for order, (code, en, nl) in enumerate(RIJK_2023):
        Category.objects.update_or_create(
            typology=typology, code=code, defaults={"name_en": en, "name_nl": nl, "order": order}
        )
    Role = apps.get_model("accounts", "Role")
    RoleCapability = apps.get_model("accounts", "RoleCapability")
    for code, capabilities in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is None:
            continue
        for capability in capabilities:
            RoleCapability.objects.get_or_create(role=role, capability=capability)


def unload(apps, schema_editor):
    apps.get_model("accounts", "RoleCapability").objects.filter(
        capability__startswith="integrity."
    ).delete()
    apps.get_model("integrity", "ViolationCategory").objects.all().delete()
    apps.get_model("integrity", "ViolationTypology").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrity", "0001_cases_mailbox_and_report_facts"),
        ("accounts", "0002_load_roles"),
    ]

    operations = [migrations.RunPython(load, unload)]
