"""Capability codes of the disclosures module (granted to roles in migration 0002)."""

from __future__ import annotations

REGISTER = "disclosures.register"
ASSESS_ACTIVITIES = "disclosures.assess_activities"
ASSESS_INTERESTS = "disclosures.assess_financial_interests"

# Initial grants (roles are data; an installation can change these).
GRANTS: dict[str, tuple[str, ...]] = {
    REGISTER: ("registrar",),
    ASSESS_ACTIVITIES: ("manager", "compliance_officer"),
    ASSESS_INTERESTS: ("compliance_officer",),
}
