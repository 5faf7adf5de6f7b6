from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "vib.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Log-ins and log-outs are security events for the audit log (BIO logging norm).
        from django.contrib.auth import signals

        from vib.accounts import auth_events

        signals.user_logged_in.connect(auth_events.logged_in, dispatch_uid="vib-login")
        signals.user_logged_out.connect(auth_events.logged_out, dispatch_uid="vib-logout")
        signals.user_login_failed.connect(auth_events.login_failed, dispatch_uid="vib-login-fail")
