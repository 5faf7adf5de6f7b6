"""The door to aggression and violence incidents and everything attached to them.

Who sees what:

* **handlers** — a current role with ``incidents.handle`` in the incident's organisation; a
  role limited to a unit (``RoleAssignment.unit``) sees the incidents of that unit and of its
  direct sub-units only;
* **the reporter** — the person who filled in the report, and the person it happened to when
  they have an account, see that one report in the reporter's view (status, what they
  entered), never the handling record;
* **coordinators** — ``incidents.coordinate`` adds the repeat-perpetrator register;
* everyone else, other organisations included, gets the same ``NotFound`` as for an id that
  does not exist.

The scope is read once per call (one small query for the user's current role assignments)
and applied as a SQL filter with literal ids, so lists and counts never filter in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from vib.access.base import fetch_audited
from vib.accounts.selectors import assignments_of, capability_organisations
from vib.incidents import capabilities
from vib.incidents.models import AftercareStep, EvidenceFile, Incident, KnownPerpetrator

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    """Where a user holds a capability: whole organisations and single units."""

    organisations: frozenset[Any]
    units: frozenset[Any]

    def q(self, prefix: str = "") -> Q:
        """A filter for rows with ``organisation`` and ``unit`` (after ``prefix``) in scope."""
        if not self.organisations and not self.units:
            return NOTHING
        q = Q()
        if self.organisations:
            q |= Q(**{f"{prefix}organisation_id__in": sorted(self.organisations)})
        if self.units:
            units = sorted(self.units)
            q |= Q(**{f"{prefix}unit_id__in": units}) | Q(**{f"{prefix}unit__parent_id__in": units})
        return q

    def covers(self, organisation_id: Any) -> bool:
        return organisation_id in self.organisations


def scope_of(user: Any, capability: str = capabilities.HANDLE) -> Scope:
    """The organisations (whole) and units in which ``user`` currently holds ``capability``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(frozenset(), frozenset())
    rows = (
        assignments_of(user)
        .filter(role__capabilities__capability=capability, organisation__isnull=False)
        .order_by()
        .values_list("organisation_id", "unit_id")
    )
    organisations: set[Any] = set()
    units: set[Any] = set()
    for organisation_id, unit_id in rows:
        if unit_id is None:
            organisations.add(organisation_id)
        else:
            units.add(unit_id)
    return Scope(frozenset(organisations), frozenset(units))


def _own(user: Any, prefix: str = "") -> Q:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    return Q(**{f"{prefix}reported_by": user}) | Q(**{f"{prefix}person": user})


# --- incidents ---------------------------------------------------------------------------------


def incidents_visible_to(
    user: Any, organisation: Any | None = None, *, scope: Scope | None = None
) -> QuerySet[Incident]:
    """The incidents ``user`` may handle (optionally of one organisation only)."""
    scope = scope or scope_of(user)
    qs = Incident.objects.filter(scope.q())
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


def own_incidents_visible_to(user: Any) -> QuerySet[Incident]:
    """The reports ``user`` made, or that were made about them: the reporter's own list."""
    return Incident.objects.filter(_own(user))


def incidents_for_export(user: Any, organisation: Any) -> QuerySet[Incident]:
    """What ``user`` may export for ``organisation``: handled incidents, with the export right."""
    return incidents_visible_to(user, organisation).filter(
        organisation__in=capability_organisations(user, capabilities.EXPORT)
    )


def incidents_and_own_visible_to(user: Any) -> QuerySet[Incident]:
    """What ``user`` handles plus their own reports, each row annotated with ``can_handle``.

    ``can_handle`` is False for a report the user only sees as its reporter: show it in the
    reporter's view (status, what they entered), never the handling record.
    """
    handler = scope_of(user).q()
    return Incident.objects.filter(handler | _own(user)).annotate(
        can_handle=Case(
            When(handler, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def access_incident(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> Incident:
    """One incident for a handler or for its reporter; ``incident.can_handle`` says which."""
    return fetch_audited(
        incidents_and_own_visible_to(user).select_related("organisation", "unit"),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="incidents.incident",
    )


def access_handled_incident(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> Incident:
    """One incident, for a handler only (every write of the handling record goes here)."""
    return fetch_audited(
        incidents_visible_to(user).select_related("organisation", "unit"),
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="incidents.incident",
    )


# --- evidence ----------------------------------------------------------------------------------


def access_evidence(
    *,
    user: Any,
    id: Any,
    request: Any | None = None,
    reason: str = "",
) -> EvidenceFile:
    """An evidence file: for handlers of its incident, and for the person who uploaded it."""
    visible = EvidenceFile.objects.filter(
        scope_of(user).q("incident__")
        | (Q(uploaded_by=user) & _own(user, "incident__") if user.is_authenticated else NOTHING)
    )
    return fetch_audited(
        visible,
        user=user,
        id=id,
        request=request,
        reason=reason,
        object_type="incidents.evidencefile",
    )


def own_evidence(user: Any, incident: Incident) -> QuerySet[EvidenceFile]:
    """The files the reporter uploaded to their own report."""
    if not getattr(user, "is_authenticated", False):
        return EvidenceFile.objects.none()
    return EvidenceFile.objects.filter(incident=incident, uploaded_by=user).filter(
        _own(user, "incident__")
    )


def own_aftercare(user: Any, incident: Incident) -> QuerySet[AftercareStep]:
    """The aftercare offered to the reporter as a victim of their own report (not cancelled):
    what is planned and what came of it, never the handler's notes."""
    if not getattr(user, "is_authenticated", False):
        return AftercareStep.objects.none()
    return AftercareStep.objects.filter(
        incident=incident, victim__user=user, cancelled_at__isnull=True
    ).order_by("due_at")


# --- aftercare ---------------------------------------------------------------------------------


def aftercare_visible_to(
    user: Any, organisation: Any | None = None, *, scope: Scope | None = None
) -> QuerySet[AftercareStep]:
    """Aftercare steps of the incidents ``user`` handles."""
    scope = scope or scope_of(user)
    qs = AftercareStep.objects.filter(scope.q("incident__"))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


# --- the repeat-perpetrator register (coordinators only) --------------------------------------


def known_perpetrators_visible_to(
    user: Any, organisation: Any | None = None
) -> QuerySet[KnownPerpetrator]:
    qs = KnownPerpetrator.objects.filter(
        organisation__in=capability_organisations(user, capabilities.COORDINATE)
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs
