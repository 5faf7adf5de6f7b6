"""Capability codes of the integrity module (granted to roles in a data migration).

Code checks these codes, never role codes. Being able to *handle* cases is not enough to open
one: a case is visible only to its case team (``CaseMember``), and only to members who hold
the capability in the case's organisation today.
"""

from __future__ import annotations

#: May be put on a case team as handler or investigator, and record oral or named reports.
HANDLE_CASES = "integrity.handle_cases"
#: Sees the organisation's case list (never reporter identities) and assigns case teams.
VIEW_CASE_LIST = "integrity.view_case_list"
#: Confidential adviser: sees only what a reporter shares with them, on cases they follow.
ADVISE = "integrity.advise"
#: The organisation's yearly report (aggregates with disclosure control).
VIEW_REPORT = "integrity.view_report"
#: Channels, retention periods and the organisation's list of measures.
MANAGE_SETTINGS = "integrity.manage_settings"

ALL = (HANDLE_CASES, VIEW_CASE_LIST, ADVISE, VIEW_REPORT, MANAGE_SETTINGS)

# The initial grants (frozen again in the data migration).
INITIAL_GRANTS: dict[str, tuple[str, ...]] = {
    "integrity_officer": (HANDLE_CASES, VIEW_CASE_LIST, VIEW_REPORT, MANAGE_SETTINGS),
    "investigator": (HANDLE_CASES,),
    "confidential_adviser": (ADVISE,),
    "secretaris": (VIEW_REPORT,),
}
