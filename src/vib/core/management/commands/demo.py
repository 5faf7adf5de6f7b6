from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vib.accounts.demo import stored_logins
from vib.accounts.models import User
from vib.core.demo import DEFAULT_SEED, SCALES, DemoLogin, build_demo


class Command(BaseCommand):
    help = _("Build the synthetic demo: organisations, a user for every role, and module data.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Only build the demo when the database holds no users yet."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(_("Demo data can only be built in demo mode (VIB_DEMO=true)."))
        if User.objects.exists():
            if options["if_empty"]:
                self.stdout.write(_("The database already holds data; demo not rebuilt."))
                self._print_logins(None)
                return
            raise CommandError(
                _("The database is not empty. Use a fresh database (or --if-empty).")
            )
        ctx = build_demo(scale=options["scale"], seed=options["seed"])
        self._print_logins(ctx.logins)

    def _print_logins(self, logins: list[DemoLogin] | None) -> None:
        if logins is None:
            logins = stored_logins()
        if not logins:
            return
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo log-ins (demo mode only):")))
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.password}  {login.description}")
