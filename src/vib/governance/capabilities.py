"""Capability codes of the governance module (granted to roles in migration 0002)."""

from __future__ import annotations

MANAGE_PROCESSES = "governance.manage_processes"
VIEW_PROCESSES = "governance.view_processes"
ANSWER_STAFF = "governance.answer_checklist_staff"
ANSWER_REPRESENTATIVES = "governance.answer_checklist_representatives"
VIEW_CHECKLIST = "governance.view_checklist"

GRANTS: dict[str, tuple[str, ...]] = {
    MANAGE_PROCESSES: ("secretaris", "integrity_officer", "org_admin"),
    VIEW_PROCESSES: (
        "secretaris",
        "integrity_officer",
        "org_admin",
        "manager",
        "compliance_officer",
        "registrar",
    ),
    ANSWER_STAFF: ("secretaris",),
    ANSWER_REPRESENTATIVES: ("griffier",),
    VIEW_CHECKLIST: ("secretaris", "griffier", "integrity_officer", "org_admin"),
}
