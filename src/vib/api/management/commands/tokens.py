"""``vib tokens``: API tokens for machine clients.

    vib tokens create --user EMAIL --name NAME [--days 365]   prints the secret, once
    vib tokens list --user EMAIL
    vib tokens revoke PREFIX

Only a digest of the secret is stored, so a lost secret cannot be shown again: revoke the
token and create a new one. Revoking sets the expiry to now, so the token stays listed (and
audited) but no longer works. Creation and revocation are written to the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import ApiToken, User
from vib.accounts.services import api_token_create
from vib.audit.models import Action
from vib.audit.services import audit_record

DEFAULT_DAYS = 365


def _user(email: str) -> User:
    try:
        return User.objects.get(email__iexact=email.strip())
    except User.DoesNotExist:
        raise CommandError(_("No user with e-mail address %(email)s.") % {"email": email}) from None


class Command(BaseCommand):
    help = _("Create, list and revoke API tokens for machine clients.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=_("Create a token and print its secret once."))
        create.add_argument("--user", required=True, help=_("E-mail address of the user."))
        create.add_argument("--name", required=True, help=_("What the token is for."))
        create.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=_("Days until the token expires (0: never). Default: %(default)s."),
        )
        listing = sub.add_parser("list", help=_("List a user's tokens (never their secrets)."))
        listing.add_argument("--user", required=True, help=_("E-mail address of the user."))
        revoke = sub.add_parser("revoke", help=_("Revoke a token at once."))
        revoke.add_argument("prefix", help=_("The token's prefix, as shown by 'list'."))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(**options)

    def _create(self, *, user: str, name: str, days: int, **_options: Any) -> None:
        if days < 0:
            raise CommandError(_("--days cannot be negative."))
        name = name.strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
            raise CommandError(_("Give the token a name of at most 100 characters."))
        owner = _user(user)
        if not owner.is_active:
            raise CommandError(_("This user is inactive."))
        with transaction.atomic():
            token, secret = api_token_create(user=owner, name=name)
            if days:
                token.expires_at = timezone.now() + timedelta(days=days)
                token.save(update_fields=["expires_at"])
            audit_record(actor=None, action=Action.CREATE, obj=token, channel="cli")
        self.stdout.write(
            _("Token %(prefix)s created for %(email)s (expires: %(expires)s).")
            % {
                "prefix": token.prefix,
                "email": owner.email,
                "expires": token.expires_at.date().isoformat() if token.expires_at else _("never"),
            }
        )
        self.stdout.write(_("The secret is shown only now; store it safely:"))
        self.stdout.write(secret)

    def _list(self, *, user: str, **_options: Any) -> None:
        owner = _user(user)
        now = timezone.now()
        tokens = owner.api_tokens.order_by("-created_at")
        if not tokens:
            self.stdout.write(_("%(email)s has no API tokens.") % {"email": owner.email})
            return
        self.stdout.write(
            "\t".join([_("prefix"), _("name"), _("status"), _("expires"), _("last used")])
        )
        for token in tokens:
            active = token.expires_at is None or token.expires_at > now
            self.stdout.write(
                "\t".join(
                    [
                        token.prefix,
                        token.name,
                        _("active") if active else _("expired or revoked"),
                        token.expires_at.isoformat(timespec="minutes") if token.expires_at else "-",
                        token.last_used_at.isoformat(timespec="minutes")
                        if token.last_used_at
                        else "-",
                    ]
                )
            )

    def _revoke(self, *, prefix: str, **_options: Any) -> None:
        prefix = prefix.strip().removeprefix("vib_").split("_", 1)[0]
        with transaction.atomic():
            token = ApiToken.objects.select_for_update().filter(prefix=prefix).first()
            if token is None:
                raise CommandError(_("No token with prefix %(prefix)s.") % {"prefix": prefix})
            now = timezone.now()
            if token.expires_at is not None and token.expires_at <= now:
                self.stdout.write(
                    _("Token %(prefix)s had already expired or been revoked.") % {"prefix": prefix}
                )
                return
            token.expires_at = now
            token.save(update_fields=["expires_at"])
            audit_record(
                actor=None, action=Action.UPDATE, obj=token, channel="cli", reason="revoked"
            )
        self.stdout.write(_("Token %(prefix)s revoked.") % {"prefix": prefix})
