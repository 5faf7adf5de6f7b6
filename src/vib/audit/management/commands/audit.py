"""``vib audit``: the audit chain.

vib audit verify       recompute the keyed chain and hold it against the signed
                       checkpoints; exit 1 on any tampering
vib audit checkpoint   write a signed checkpoint of the chain's end (the scheduler runs it
                       hourly as ``audit.checkpoint``)
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from vib.audit.models import AuditEvent
from vib.audit.selectors import audit_chain_problems, audit_checkpoints
from vib.audit.services import CheckpointError, audit_checkpoint_write


class Command(BaseCommand):
    help = "Audit log tools: `vib audit verify` recomputes the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Recompute the keyed chain and compare it with the signed checkpoints; "
            "exit 1 on any tampering.",
        )
        sub.add_parser("checkpoint", help="Write a signed checkpoint of the chain's end.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "checkpoint":
            self._checkpoint()
            return
        self._verify(verbosity=options["verbosity"])

    def _checkpoint(self) -> None:
        try:
            path = audit_checkpoint_write()
        except CheckpointError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(_("Checkpoint written: %(path)s") % {"path": path})

    def _verify(self, *, verbosity: int) -> None:
        total = AuditEvent.objects.count()
        with tqdm(total=total, unit="event", disable=verbosity < 1) as bar:
            problems = list(audit_chain_problems(progress=bar.update))
        if problems:
            for problem in problems[:50]:
                where = problem.detail or (_("Event %(seq)s") % {"seq": problem.seq})
                self.stderr.write(f"{where}: {_(problem.message)}")
            raise CommandError(
                ngettext(
                    "The audit log has been tampered with: %(count)d problem found.",
                    "The audit log has been tampered with: %(count)d problems found.",
                    len(problems),
                )
                % {"count": len(problems)},
                returncode=1,
            )
        checkpoints, _problems = audit_checkpoints()
        if not checkpoints:
            self.stderr.write(
                _(
                    "No signed checkpoints in %(dir)s: removed events at the end of the chain "
                    "cannot be detected without them (run vib audit checkpoint regularly)."
                )
                % {"dir": settings.AUDIT_CHECKPOINT_DIR}
            )
        self.stdout.write(
            ngettext(
                "Audit log intact: %(count)d event verified.",
                "Audit log intact: %(count)d events verified.",
                total,
            )
            % {"count": total}
            + " "
            + ngettext(
                "%(count)d checkpoint matched.",
                "%(count)d checkpoints matched.",
                len(checkpoints),
            )
            % {"count": len(checkpoints)}
        )
