"""All writes of operations: retention runs and the yearly access review."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import Actor, RoleAssignment
from vib.accounts.roles import ORG_MANAGE
from vib.accounts.selectors import has_capability
from vib.accounts.services import role_assignment_end
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.operations import discovery
from vib.operations.contracts import Destruction
from vib.operations.idempotency import run_once
from vib.operations.models import (
    AccessReview,
    AccessReviewItem,
    Decision,
    DestructionRecord,
    ReviewStatus,
)
from vib.operations.selectors import current_assignments
from vib.organisations.models import Organisation

logger = logging.getLogger("vib.retention")


# --- retention -----------------------------------------------------------------------------


class RetentionError(RuntimeError):
    """One or more modules' retention failed; the others ran and were recorded."""


def _check(label: str, destruction: object) -> Destruction:
    if not isinstance(destruction, Destruction):
        raise TypeError(f"{label}.retention returned {destruction!r}, not a Destruction.")
    if destruction.count < 0 or not destruction.object_type or not destruction.rule:
        raise ValueError(f"{label}.retention returned an incomplete {destruction!r}.")
    return destruction


def retention_run(*, today: date | None = None) -> list[DestructionRecord]:
    """Run every module's ``apply_retention(today=…)`` and record what each destroyed.

    Each module runs in its own transaction together with its destruction records and a
    ``TaskEffect`` for (module, day): a re-run the same day does nothing more, a module that
    fails rolls back alone and the others still run; the task then fails so it is visible.
    """
    today = today or timezone.localdate()
    records: list[DestructionRecord] = []
    failed: list[str] = []
    for label, module in discovery.app_modules("retention"):
        apply = getattr(module, "apply_retention", None)
        if apply is None:
            continue
        try:
            with run_once(f"retention:{label}:{today.isoformat()}") as first:
                if not first:
                    continue
                for item in apply(today=today):
                    destruction = _check(label, item)
                    records.append(
                        DestructionRecord.objects.create(
                            module=label,
                            object_type=destruction.object_type[:100],
                            count=destruction.count,
                            rule=destruction.rule[:300],
                            organisation_id=destruction.organisation_id[:64],
                            run_date=today,
                        )
                    )
        except Exception:
            logger.exception(
                "retention failed",
                extra={"event": "retention.module", "app": label, "outcome": "failure"},
            )
            failed.append(label)
    logger.info(
        "retention run",
        extra={
            "event": "retention.run",
            "records": len(records),
            "outcome": "failure" if failed else "success",
        },
    )
    if failed:
        raise RetentionError("Retention failed for: " + ", ".join(failed))
    return records


# --- access reviews ------------------------------------------------------------------------


def _require_manager(actor: Actor, organisation: Organisation) -> None:
    if not has_capability(actor, ORG_MANAGE, organisation):
        raise PermissionDenied


@transaction.atomic
def access_review_start(*, actor: Actor, organisation: Organisation, year: int) -> AccessReview:
    """Start the review of ``year``: a snapshot of every role currently held here."""
    _require_manager(actor, organisation)
    if year < 2000 or year > timezone.localdate().year + 1:
        raise ValidationError({"year": _("Choose this year or the next.")})
    if AccessReview.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError({"year": _("There is already an access review for this year.")})
    review = AccessReview.objects.create(organisation=organisation, year=year, created_by=actor)
    AccessReviewItem.objects.bulk_create(
        AccessReviewItem(
            review=review,
            assignment=assignment,
            user_id=assignment.user_id,
            role_id=assignment.role_id,
            unit_name=assignment.unit.name if assignment.unit else "",
            valid_from=assignment.valid_from,
        )
        for assignment in current_assignments(organisations=[organisation])
    )
    audit_record(actor=actor, action=Action.CREATE, obj=review, organisation=organisation)
    return review


def _locked_open(review: AccessReview) -> AccessReview:
    locked = AccessReview.objects.select_for_update().get(pk=review.pk)
    if locked.status != ReviewStatus.OPEN:
        raise ValidationError(_("This access review has been completed."))
    return locked


@transaction.atomic
def access_review_decide(
    *, actor: Actor, review: AccessReview, decisions: Mapping[str, str]
) -> int:
    """Record keep/revoke decisions (item id → decision). Returns how many changed."""
    _require_manager(actor, review.organisation)
    review = _locked_open(review)
    allowed = {Decision.KEEP.value, Decision.REVOKE.value, Decision.PENDING.value}
    if not set(decisions.values()) <= allowed:
        raise ValidationError(_("Choose keep or revoke."))
    now = timezone.now()
    changed = 0
    for item in review.items.filter(id__in=list(decisions)).select_for_update():
        wanted = decisions[str(item.id)]
        if item.decision == wanted:
            continue
        item.decision = wanted
        item.decided_by = actor if wanted else None
        item.decided_at = now if wanted else None
        item.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
        changed += 1
    if changed:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=review,
            organisation=review.organisation,
            reason=f"{changed} decisions",
        )
    return changed


@transaction.atomic
def access_review_complete(*, actor: Actor, review: AccessReview) -> int:
    """Complete the review: every item must be decided; revoked roles end yesterday.

    Returns the number of role assignments ended. Each end is audited.
    """
    _require_manager(actor, review.organisation)
    review = _locked_open(review)
    if review.items.filter(decision=Decision.PENDING).exists():
        raise ValidationError(_("Decide on every role before completing the review."))
    yesterday = timezone.localdate() - timedelta(days=1)
    ended = 0
    revoked = review.items.filter(decision=Decision.REVOKE, assignment__isnull=False)
    ids = list(revoked.values_list("assignment_id", flat=True))
    for assignment in RoleAssignment.objects.filter(pk__in=ids):
        if assignment.valid_until is not None and assignment.valid_until <= yesterday:
            continue
        role_assignment_end(
            actor=actor,
            assignment=assignment,
            until=yesterday,
            reason=f"access review {review.year}: role revoked",
        )
        ended += 1
    review.status = ReviewStatus.COMPLETED
    review.completed_by = actor
    review.completed_at = timezone.now()
    review.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.TRANSITION,
        obj=review,
        organisation=review.organisation,
        reason=f"completed; {ended} roles revoked",
    )
    return ended
