from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from vib.audit.models import AuditEvent
from vib.audit.selectors import audit_chain_problems


class Command(BaseCommand):
    help = "Audit log tools: `vib audit verify` recomputes the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute the hash chain; exit 1 on any tampering.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        with tqdm(total=total, unit="event", disable=options["verbosity"] < 1) as bar:
            problems = list(audit_chain_problems(progress=bar.update))
        if problems:
            for problem in problems[:50]:
                self.stderr.write(
                    _("Event %(seq)s: %(message)s")
                    % {"seq": problem.seq, "message": _(problem.message)}
                )
            raise CommandError(
                ngettext(
                    "The audit log has been tampered with: %(count)d problem found.",
                    "The audit log has been tampered with: %(count)d problems found.",
                    len(problems),
                )
                % {"count": len(problems)},
                returncode=1,
            )
        self.stdout.write(
            ngettext(
                "Audit log intact: %(count)d event verified.",
                "Audit log intact: %(count)d events verified.",
                total,
            )
            % {"count": total}
        )
