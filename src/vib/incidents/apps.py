from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "vib.incidents"
    verbose_name = _("Aggression and violence")

    def ready(self) -> None:
        # Data-key rotation re-seals the evidence files too (issue #15 item 5).
        from vib.incidents import evidence
        from vib.integrity import keys

        keys.register_file_resealer(evidence.reseal_files)
