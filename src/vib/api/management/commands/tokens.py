"""``vib tokens``: API tokens for machine clients.

    vib tokens create --user EMAIL --name NAME --scope incidents:read [--scope …] [--days 90]
        prints the secret, once
    vib tokens list --user EMAIL
    vib tokens revoke PREFIX

A token carries scopes, read or write per module (``vib.api.scopes``), and expires: 90 days
by default, at most 365. Only a digest of the secret is stored, so a lost secret cannot be
shown again: revoke the token and create a new one. Revoking sets the expiry to now, so the
token stays listed (and audited) but no longer works. Creation and revocation are written to
the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import ApiToken, User
from vib.accounts.services import API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS, api_token_create
from vib.api.scopes import known_scopes
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError


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
            "--scope",
            action="append",
            default=[],
            dest="scopes",
            help=_("A scope the token gets, e.g. incidents:read; repeat for more. One of: %(s)s.")
            % {"s": ", ".join(known_scopes())},
        )
        create.add_argument(
            "--days",
            type=int,
            default=API_TOKEN_DEFAULT_DAYS,
            help=_("Days until the token expires (1 to %(max)d). Default: %(default)s.")
            % {"max": API_TOKEN_MAX_DAYS, "default": API_TOKEN_DEFAULT_DAYS},
        )
        listing = sub.add_parser("list", help=_("List a user's tokens (never their secrets)."))
        listing.add_argument("--user", required=True, help=_("E-mail address of the user."))
        revoke = sub.add_parser("revoke", help=_("Revoke a token at once."))
        revoke.add_argument("prefix", help=_("The token's prefix, as shown by 'list'."))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(**options)

    def _create(
        self, *, user: str, name: str, days: int, scopes: list[str], **_options: Any
    ) -> None:
        name = name.strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
            raise CommandError(_("Give the token a name of at most 100 characters."))
        owner = _user(user)
        if not owner.is_active:
            raise CommandError(_("This user is inactive."))
        try:
            token, secret = api_token_create(owner=owner, name=name, scopes=scopes, days=days)
        except ValidationError as error:
            raise CommandError(" ".join(str(m) for m in error.messages)) from None
        assert token.expires_at is not None
        self.stdout.write(
            _("Token %(prefix)s created for %(email)s (scopes: %(scopes)s; expires: %(expires)s).")
            % {
                "prefix": token.prefix,
                "email": owner.email,
                "scopes": token.scopes,
                "expires": token.expires_at.date().isoformat(),
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
            "\t".join(
                [_("prefix"), _("name"), _("status"), _("scopes"), _("expires"), _("last used")]
            )
        )
        for token in tokens:
            active = token.expires_at is None or token.expires_at > now
            self.stdout.write(
                "\t".join(
                    [
                        token.prefix,
                        token.name,
                        _("active") if active else _("expired or revoked"),
                        token.scopes or "-",
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
