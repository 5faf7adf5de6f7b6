from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "vib.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from django.conf import settings

        from vib.audit.chain import parse_keys

        parse_keys(tuple(settings.AUDIT_KEYS))  # a malformed key stops the start, not a write
