from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "vib.disclosures"
    verbose_name = _("Side activities and interests")

    def ready(self) -> None:
        from vib.organisations.models import Organisation

        # The register shows the organisation's name and is public only while it is active.
        # The registry's import and the admin write organisations outside this app's
        # services, so a save of the organisation itself renews its cached register.
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                _organisation_changed, sender=Organisation, dispatch_uid=f"public-register-{name}"
            )


def _organisation_changed(sender: object, instance: object, **kwargs: object) -> None:
    from vib.disclosures import public_cache

    public_cache.changed(instance.pk)  # type: ignore[attr-defined]
