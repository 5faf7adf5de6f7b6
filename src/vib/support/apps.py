from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "vib.support"
    verbose_name = _("Support desk")

    def ready(self) -> None:
        # Team members see office holders' situations without holding an organisation role.
        from vib.access.support import is_team_member
        from vib.accounts.selectors import require_second_factor_when

        require_second_factor_when(is_team_member)
