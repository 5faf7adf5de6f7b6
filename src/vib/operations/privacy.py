"""Operations' part of a data-subject export: the access reviews of the person's roles.

Only the person's own roles and the decisions on them; not who decided (a colleague).
"""

from __future__ import annotations

from typing import Any

from vib.operations.models import AccessReviewItem


def export_subject(user: Any) -> dict[str, Any]:
    items = (
        AccessReviewItem.objects.filter(user=user)
        .select_related("review__organisation", "role")
        .order_by("review__year", "role__code")
    )
    reviews = [
        {
            "year": item.review.year,
            "organisation": item.review.organisation.name,
            "role": item.role_id,
            "decision": item.decision or None,
            "decidedAt": item.decided_at,
        }
        for item in items
    ]
    return {"accessReviews": reviews} if reviews else {}
