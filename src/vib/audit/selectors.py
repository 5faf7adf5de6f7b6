"""Reading and verifying the audit log."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from vib.audit.chain import FIELDS, GENESIS, event_hash, sign, verification_key
from vib.audit.models import AuditEvent, ChainHead


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str  # English, marked for translation: shown with gettext(message)
    detail: str = ""  # not translated: a file name


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    count: int
    last_seq: int
    last_hash: str


def audit_events_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)


def audit_checkpoints(
    directory: Path | None = None,
) -> tuple[list[Checkpoint], list[ChainProblem]]:
    """The signed checkpoints in ``directory`` (oldest first) and what is wrong with any."""
    root = Path(directory or settings.AUDIT_CHECKPOINT_DIR)
    found: list[Checkpoint] = []
    problems: list[ChainProblem] = []
    if not root.is_dir():
        return found, problems
    for path in sorted(root.glob("checkpoint-*.json")):
        try:
            document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            signature = str(document.pop("signature"))
            key = verification_key(str(document["key_id"]))
            checkpoint = Checkpoint(
                path=path,
                count=int(document["count"]),
                last_seq=int(document["last_seq"]),
                last_hash=str(document["last_hash"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            problems.append(ChainProblem(0, gettext_noop("checkpoint is unreadable"), path.name))
            continue
        if key is None:
            problems.append(
                ChainProblem(0, gettext_noop("checkpoint is signed with an unknown key"), path.name)
            )
            continue
        if not hmac.compare_digest(sign(key, document), signature):
            problems.append(
                ChainProblem(0, gettext_noop("checkpoint signature is not valid"), path.name)
            )
            continue
        found.append(checkpoint)
    found.sort(key=lambda c: (c.last_seq, c.count))
    return found, problems


def audit_chain_problems(  # noqa: C901, PLR0912
    *,
    progress: Callable[[int], None] | None = None,
    batch: int = 2000,
    checkpoint_dir: Path | None = None,
) -> Iterator[ChainProblem]:
    """Recompute the keyed chain from the genesis; yield every place where it does not hold.

    Besides every link and every keyed hash: the head must exist once any event exists and
    point at the newest event, and every signed checkpoint must find its newest event, with its
    hash, and exactly its count of events up to it.
    """
    checkpoints, checkpoint_problems = audit_checkpoints(checkpoint_dir)
    yield from checkpoint_problems
    by_seq: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        if checkpoint.last_seq:
            by_seq.setdefault(checkpoint.last_seq, []).append(checkpoint)
    pending = sorted(by_seq)  # the checkpoints' newest events, in chain order
    prev = GENESIS
    last_seq = 0
    count = 0
    keys: dict[str, bytes | None] = {}
    rows = AuditEvent.objects.order_by("seq").values("seq", "prev_hash", "hash", "key_id", *FIELDS)
    for row in rows.iterator(chunk_size=batch):
        seq = row["seq"]
        while pending and pending[0] < seq:
            missing = pending.pop(0)
            yield ChainProblem(missing, gettext_noop("an event a checkpoint recorded is missing"))
        count += 1
        if row["prev_hash"] != prev:
            yield ChainProblem(seq, gettext_noop("link to the previous event is broken"))
        key_id = row["key_id"]
        if key_id not in keys:
            keys[key_id] = verification_key(key_id)
        key = keys[key_id]
        if key is None:
            yield ChainProblem(seq, gettext_noop("signed with an unknown key"))
        elif not hmac.compare_digest(event_hash(row["prev_hash"], row, key=key), row["hash"]):
            yield ChainProblem(seq, gettext_noop("content does not match its hash"))
        if pending and pending[0] == seq:
            pending.pop(0)
            for checkpoint in by_seq[seq]:
                if checkpoint.last_hash != row["hash"]:
                    yield ChainProblem(seq, gettext_noop("the event differs from its checkpoint"))
                if checkpoint.count != count:
                    yield ChainProblem(
                        seq, gettext_noop("events before this one were removed or added")
                    )
        prev = row["hash"]
        last_seq = seq
        if progress is not None:
            progress(1)
    for missing in pending:
        yield ChainProblem(missing, gettext_noop("an event a checkpoint recorded is missing"))
    if checkpoints and count < checkpoints[-1].count:
        yield ChainProblem(last_seq, gettext_noop("fewer events than the newest checkpoint"))
    head = ChainHead.objects.filter(id=1).first()
    if head is None:
        if count:
            yield ChainProblem(last_seq, gettext_noop("the chain head is missing"))
    elif head.last_hash != prev or head.last_seq != last_seq:
        yield ChainProblem(last_seq, gettext_noop("events are missing at the end of the chain"))
