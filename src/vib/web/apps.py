from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "vib.web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        # The empty choice of every select (model fields, model choice fields, the admin) in
        # one place: Django 6.1 reads this label when a form is built, and leaves its own
        # "- Select an option -" untranslated in Dutch.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("— Choose —")
