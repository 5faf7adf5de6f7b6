"""Reads of operations: who holds which role where, and access reviews."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, QuerySet

from vib.accounts.models import RoleAssignment
from vib.accounts.roles import ORG_MANAGE
from vib.accounts.selectors import capability_organisations, in_force
from vib.core.cells import escape_formula
from vib.core.errors import NotFound
from vib.operations.models import AccessReview, AccessReviewItem, Decision
from vib.organisations.models import Organisation


def current_assignments(
    *, organisations: Iterable[Organisation] | QuerySet[Organisation] | None
) -> QuerySet[RoleAssignment]:
    """Every role held today, by active users; ``organisations=None`` means everywhere
    (including the roles held outside any organisation)."""
    qs = RoleAssignment.objects.filter(in_force(), user__is_active=True).select_related(
        "user", "role", "organisation", "unit"
    )
    if organisations is not None:
        qs = qs.filter(organisation__in=organisations)
    return qs.order_by("organisation__name", "user__full_name", "role__order", "role__code")


def managed_organisations(user: Any) -> QuerySet[Organisation]:
    return capability_organisations(user, ORG_MANAGE)


def _cell(value: object) -> str:
    return escape_formula("" if value is None else str(value))


ROLE_HOLDER_COLUMNS = (
    "organisation_code",
    "organisation",
    "email",
    "name",
    "role_code",
    "role",
    "unit",
    "function",
    "valid_from",
    "valid_until",
    "second_factor_required",
)


def role_holders_csv(assignments: QuerySet[RoleAssignment]) -> Iterator[str]:
    """The CSV export of who holds which role where, streamed line by line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(ROLE_HOLDER_COLUMNS)
    yield flush()
    for a in assignments.iterator(chunk_size=500):
        writer.writerow(
            [
                _cell(a.organisation.code if a.organisation else ""),
                _cell(a.organisation.name if a.organisation else ""),
                _cell(a.user.email),
                _cell(a.user.full_name),
                a.role.code,
                _cell(a.role.name_en),
                _cell(a.unit.name if a.unit else ""),
                _cell(a.function),
                a.valid_from.isoformat(),
                a.valid_until.isoformat() if a.valid_until else "",
                "yes" if a.role.requires_second_factor else "no",
            ]
        )
        yield flush()


def access_reviews_of(organisation: Organisation) -> QuerySet[AccessReview]:
    return AccessReview.objects.filter(organisation=organisation).annotate(
        item_count=Count("items"),
        pending_count=Count("items", filter=Q(items__decision=Decision.PENDING)),
        revoke_count=Count("items", filter=Q(items__decision=Decision.REVOKE)),
    )


def access_review_for_manager(*, user: Any, id: Any) -> AccessReview:
    """A review of an organisation the user manages; ``NotFound`` for anything else."""
    try:
        return AccessReview.objects.select_related("organisation").get(
            pk=id, organisation__in=managed_organisations(user)
        )
    except (AccessReview.DoesNotExist, DjangoValidationError, ValueError, TypeError):
        raise NotFound from None


def access_review_items(review: AccessReview) -> QuerySet[AccessReviewItem]:
    return review.items.select_related("user", "role", "decided_by").order_by(
        "user__full_name", "role__order", "role__code"
    )
