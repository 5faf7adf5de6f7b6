"""Reading and verifying the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from vib.audit.chain import FIELDS, GENESIS, event_hash
from vib.audit.models import AuditEvent, ChainHead


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str  # English, marked for translation: shown with gettext(message)


def audit_events_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)


def audit_chain_problems(
    *, progress: Callable[[int], None] | None = None, batch: int = 2000
) -> Iterator[ChainProblem]:
    """Recompute the chain from the genesis; yield every place where it does not hold."""
    prev = GENESIS
    last_seq = 0
    rows = AuditEvent.objects.order_by("seq").values("seq", "prev_hash", "hash", *FIELDS)
    for row in rows.iterator(chunk_size=batch):
        if row["prev_hash"] != prev:
            yield ChainProblem(row["seq"], gettext_noop("link to the previous event is broken"))
        expected = event_hash(row["prev_hash"], row)
        if expected != row["hash"]:
            yield ChainProblem(row["seq"], gettext_noop("content does not match its hash"))
        prev = row["hash"]
        last_seq = row["seq"]
        if progress is not None:
            progress(1)
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != prev or head.last_seq != last_seq):
        yield ChainProblem(last_seq, gettext_noop("events are missing at the end of the chain"))
