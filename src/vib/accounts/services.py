"""All writes about people, roles and tokens.

Grants go through here and into the audit chain. People grant with ``role_grant`` (never to
themselves; a confidential role needs the organisation's own administrator or a second
person's approval, ``role_grant_approve``); ``role_assign`` is the trusted path of the system
itself (demo, command line, single sign-on), also audited.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vib.accounts.models import (
    Actor,
    ApiToken,
    GrantKind,
    GrantStatus,
    Role,
    RoleAssignment,
    RoleCapability,
    RoleGrantRequest,
    User,
)
from vib.accounts.roles import NON_CONFIDENTIAL_CAPABILITIES, ORG_MANAGE
from vib.accounts.selectors import forget_capabilities, has_capability, in_force
from vib.audit.models import Action
from vib.audit.services import audit_record
from vib.core.errors import ValidationError
from vib.organisations.models import Organisation, Unit


@transaction.atomic
def user_create(
    *, email: str, full_name: str, password: str | None = None, is_staff: bool = False
) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    user = User(email=email, full_name=full_name, is_staff=is_staff)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def _role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    found = Role.objects.filter(code=role).first()
    if found is None:
        raise ValidationError({"role": _("There is no such role.")})
    return found


def _check_grant(role: Role, organisation: Organisation | None, unit: Unit | None) -> None:
    if role.organisation_bound and organisation is None:
        raise ValidationError({"organisation": _("This role is held within an organisation.")})
    if not role.organisation_bound and organisation is not None:
        raise ValidationError({"organisation": _("This role is not tied to one organisation.")})
    if unit is not None and unit.organisation_id != getattr(organisation, "id", None):
        raise ValidationError({"unit": _("The unit belongs to another organisation.")})


def role_is_confidential(role: Role) -> bool:
    """Whether the role holds a capability that opens something confidential."""
    return (
        RoleCapability.objects.filter(role=role)
        .exclude(capability__in=NON_CONFIDENTIAL_CAPABILITIES)
        .exists()
    )


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: Role | str,
    organisation: Organisation | None,
    unit: Unit | None = None,
    function: str = "",
    valid_from: date | None = None,
    actor: Actor | None = None,
    channel: str = "system",
    request: Any | None = None,
    reason: str = "",
) -> RoleAssignment:
    """Grant the role, audited. Without ``actor``: the system's own path (demo, command line,
    single sign-on); people grant through ``role_grant``, which checks who may."""
    role_obj = _role(role)
    _check_grant(role_obj, organisation, unit)
    # One row per person, role, organisation and unit: granting an ended role again reopens it.
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(user=user, role=role_obj, organisation=organisation, unit=unit)
        .first()
    )
    if assignment is None:
        assignment = RoleAssignment(
            user=user, role=role_obj, organisation=organisation, unit=unit, function=function
        )
        if valid_from is not None:
            assignment.valid_from = valid_from
    elif assignment.valid_until is None or assignment.valid_until >= timezone.localdate():
        raise ValidationError({"role": _("This person holds this role already.")})
    else:
        assignment.valid_from = valid_from or timezone.localdate()
        assignment.valid_until = None
        assignment.function = function
    assignment.save()
    forget_capabilities(user)  # an open capabilities_read_once() block sees the new role
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=assignment,
        organisation=organisation,
        request=request,
        channel=None if request is not None else channel,
        reason=reason or f"role {role_obj.code} granted to user {user.pk}",
    )
    return assignment


def _may_manage(actor: Actor, organisation: Organisation | None) -> bool:
    return organisation is not None and has_capability(actor, ORG_MANAGE, organisation)


def _may_approve(actor: Actor, grant: RoleGrantRequest) -> bool:
    """The organisation's own administrator for a role within it; another platform admin for
    a role outside organisations or a capability. Never the requester or the grantee."""
    if actor.pk in {grant.requested_by_id, grant.user_id} or not actor.is_active:
        return False
    if grant.kind == GrantKind.ROLE and grant.role.organisation_bound:
        return _may_manage(actor, grant.organisation)
    if (
        grant.kind == GrantKind.ADD_CAPABILITY
        and RoleAssignment.objects.filter(in_force(), user=actor, role=grant.role).exists()
    ):
        return False  # nobody widens a role they hold themselves
    return bool(actor.is_staff)


def role_grant_check(
    *,
    actor: Actor,
    user: User,
    role: Role | str,
    organisation: Organisation | None,
    unit: Unit | None = None,
) -> bool:
    """Raise ``ValidationError`` when ``actor`` may not grant this at all; else whether the
    grant takes effect at once (``True``) or waits for a second person (``False``)."""
    role_obj = _role(role)
    _check_grant(role_obj, organisation, unit)
    if actor.pk == user.pk:
        raise ValidationError({"user": _("Nobody can grant a role to themselves.")})
    if RoleAssignment.objects.filter(
        in_force(), user=user, role=role_obj, organisation=organisation, unit=unit
    ).exists():
        raise ValidationError({"role": _("This person holds this role already.")})
    if _may_manage(actor, organisation):
        return True
    if not actor.is_staff:
        raise ValidationError(_("You may not grant roles in this organisation."))
    if not role_is_confidential(role_obj):
        return True
    if RoleGrantRequest.objects.filter(
        kind=GrantKind.ROLE,
        status=GrantStatus.PENDING,
        user=user,
        role=role_obj,
        organisation=organisation,
        unit=unit,
    ).exists():
        raise ValidationError(_("This grant already awaits approval."))
    return False


def role_grant(
    *,
    actor: Actor,
    user: User,
    role: Role | str,
    organisation: Organisation | None,
    unit: Unit | None = None,
    function: str = "",
    request: Any | None = None,
) -> RoleAssignment | RoleGrantRequest:
    """A person grants a role: at once, or as a request that awaits a second person.

    Nobody grants themselves a role. The organisation's own administrator (``organisation.
    manage`` there) grants at once. A platform admin grants a role that opens nothing
    confidential at once; a confidential role becomes a ``RoleGrantRequest``. Anyone else may
    not grant. A refusal is audited too.
    """
    role_obj = _role(role)
    try:
        at_once = role_grant_check(
            actor=actor, user=user, role=role_obj, organisation=organisation, unit=unit
        )
    except ValidationError:
        # Before any write of ours: the refusal stays in the chain (unless a caller's own
        # transaction around this rolls back).
        audit_record(
            actor=actor,
            action=Action.DENIED,
            object_type="accounts.roleassignment",
            organisation=organisation,
            result="denied",
            request=request,
            reason=f"grant of role {role_obj.code} to user {user.pk} refused",
        )
        raise
    with transaction.atomic():
        return _role_grant_write(
            actor=actor,
            user=user,
            role=role_obj,
            organisation=organisation,
            unit=unit,
            function=function,
            request=request,
            at_once=at_once,
        )


def _role_grant_write(
    *,
    actor: Actor,
    user: User,
    role: Role,
    organisation: Organisation | None,
    unit: Unit | None,
    function: str,
    request: Any | None,
    at_once: bool,
) -> RoleAssignment | RoleGrantRequest:
    role_obj = role
    if at_once:
        return role_assign(
            user=user,
            role=role_obj,
            organisation=organisation,
            unit=unit,
            function=function,
            actor=actor,
            request=request,
        )
    grant = RoleGrantRequest.objects.create(
        kind=GrantKind.ROLE,
        role=role_obj,
        user=user,
        organisation=organisation,
        unit=unit,
        function=function,
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=grant,
        organisation=organisation,
        request=request,
        reason=f"grant of role {role_obj.code} to user {user.pk} awaits approval",
    )
    return grant


@transaction.atomic
def role_capability_add(
    *, actor: Actor, role: Role | str, capability: str, request: Any | None = None
) -> RoleCapability | RoleGrantRequest:
    """Add a capability to a role (platform admins only). A confidential capability waits for
    another platform admin's approval."""
    role_obj = _role(role)
    capability = capability.strip()
    if not actor.is_staff:
        raise ValidationError(_("Only platform admins change what a role may do."))
    if not capability or len(capability) > 60:
        raise ValidationError({"capability": _("Give a capability code.")})
    if RoleCapability.objects.filter(role=role_obj, capability=capability).exists():
        raise ValidationError({"capability": _("The role already has this capability.")})
    if capability in NON_CONFIDENTIAL_CAPABILITIES:
        return _capability_add(actor=actor, role=role_obj, capability=capability, request=request)
    if RoleGrantRequest.objects.filter(
        kind=GrantKind.ADD_CAPABILITY,
        status=GrantStatus.PENDING,
        role=role_obj,
        capability=capability,
    ).exists():
        raise ValidationError(_("This grant already awaits approval."))
    grant = RoleGrantRequest.objects.create(
        kind=GrantKind.ADD_CAPABILITY, role=role_obj, capability=capability, requested_by=actor
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=grant,
        request=request,
        reason=f"capability {capability} for role {role_obj.code} awaits approval",
    )
    return grant


def _capability_add(
    *, actor: Actor | None, role: Role, capability: str, request: Any | None, reason: str = ""
) -> RoleCapability:
    added = RoleCapability.objects.create(role=role, capability=capability)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=role,
        request=request,
        channel=None if request is not None else "system",
        reason=reason or f"capability {capability} added",
    )
    return added


@transaction.atomic
def role_capability_remove(
    *, actor: Actor, role: Role | str, capability: str, request: Any | None = None
) -> None:
    """Take a capability from a role (platform admins): takes access away, so at once."""
    role_obj = _role(role)
    if not actor.is_staff:
        raise ValidationError(_("Only platform admins change what a role may do."))
    deleted, _rows = RoleCapability.objects.filter(role=role_obj, capability=capability).delete()
    if not deleted:
        raise ValidationError({"capability": _("The role does not have this capability.")})
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=role_obj,
        request=request,
        reason=f"capability {capability} removed",
    )


def _locked_pending(grant: RoleGrantRequest) -> RoleGrantRequest:
    locked = (
        RoleGrantRequest.objects.select_for_update(of=("self",))
        .select_related("role", "organisation", "unit", "user")
        .filter(pk=grant.pk, status=GrantStatus.PENDING)
        .first()
    )
    if locked is None:
        raise ValidationError(_("This grant has been decided already."))
    return locked


@transaction.atomic
def role_grant_approve(
    *, actor: Actor, grant: RoleGrantRequest, request: Any | None = None
) -> RoleAssignment | RoleCapability:
    """The second person approves: the grant takes effect, both names in the audit chain."""
    grant = _locked_pending(grant)
    if not _may_approve(actor, grant):
        raise ValidationError(_("You may not approve this grant."))
    grant.status = GrantStatus.APPROVED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    reason = f"approved request {grant.pk} of user {grant.requested_by_id}"
    if grant.kind == GrantKind.ADD_CAPABILITY:
        if RoleCapability.objects.filter(role=grant.role, capability=grant.capability).exists():
            raise ValidationError(_("The role already has this capability."))
        return _capability_add(
            actor=actor,
            role=grant.role,
            capability=grant.capability,
            request=request,
            reason=f"capability {grant.capability} added; {reason}",
        )
    assert grant.user is not None
    return role_assign(
        user=grant.user,
        role=grant.role,
        organisation=grant.organisation,
        unit=grant.unit,
        function=grant.function,
        actor=actor,
        request=request,
        reason=f"role {grant.role_id} granted to user {grant.user_id}; {reason}",
    )


@transaction.atomic
def role_grant_reject(
    *, actor: Actor, grant: RoleGrantRequest, request: Any | None = None
) -> RoleGrantRequest:
    """The second person (or the requester, withdrawing) turns the grant down."""
    grant = _locked_pending(grant)
    if actor.pk != grant.requested_by_id and not _may_approve(actor, grant):
        raise ValidationError(_("You may not decide on this grant."))
    grant.status = GrantStatus.REJECTED
    grant.decided_by = actor
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.TRANSITION,
        obj=grant,
        organisation=grant.organisation,
        request=request,
        reason="rejected",
    )
    return grant


@transaction.atomic
def role_assignment_end(
    *,
    actor: Actor | None,
    assignment: RoleAssignment,
    until: date | None = None,
    request: Any | None = None,
    reason: str = "",
) -> RoleAssignment:
    """End a role (from ``until``, by default yesterday): takes access away, audited."""
    until = until or timezone.localdate() - timedelta(days=1)
    locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.valid_until is not None and locked.valid_until <= until:
        return locked
    if until < locked.valid_from - timedelta(days=1):
        until = locked.valid_from - timedelta(days=1)
    locked.valid_until = until
    locked.save(update_fields=["valid_until", "updated_at"])
    forget_capabilities(locked.user)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        request=request,
        channel="system" if actor is None and request is None else None,
        reason=reason or f"role ends after {until.isoformat()}",
    )
    return locked


@transaction.atomic
def user_update(
    *,
    actor: Actor | None,
    user: User,
    full_name: str,
    email: str,
    is_active: bool,
    request: Any | None = None,
) -> User:
    """Change a person's name, address or whether they may log in (audited)."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    if actor is not None and actor.pk == user.pk and not is_active:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    changed = [
        name
        for name, value in (("full_name", full_name), ("email", email), ("is_active", is_active))
        if getattr(user, name) != value
    ]
    if not changed:
        return user
    user.full_name, user.email, user.is_active = full_name, email, is_active
    user.full_clean()
    user.save(update_fields=changed)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=user,
        request=request,
        channel=None if request is not None else "system",
        reason="changed: " + ", ".join(changed),
    )
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


#: A token lives this long unless made for fewer days; never longer than ``API_TOKEN_MAX_DAYS``.
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 365


@transaction.atomic
def api_token_create(
    *, owner: User, name: str, scopes: Iterable[str], days: int = API_TOKEN_DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """Create a token for ``owner`` with scopes and an expiry; the secret is returned once and
    only its digest is kept. An operator's command creates it, so the audit names no actor."""
    from vib.api.scopes import known_scopes

    wanted = sorted({scope.strip() for scope in scopes if scope.strip()})
    known = known_scopes()
    unknown = [scope for scope in wanted if scope not in known]
    if not wanted or unknown:
        raise ValidationError(
            {"scopes": _("Give one or more scopes from: %(known)s.") % {"known": ", ".join(known)}}
        )
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lives 1 to %(max)d days.") % {"max": API_TOKEN_MAX_DAYS}}
        )
    prefix = secrets.token_hex(4)
    secret = f"vib_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=owner,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        scopes=" ".join(wanted),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=None,
        action=Action.CREATE,
        obj=token,
        channel="cli",
        reason=f"scopes: {token.scopes}; {days} days",
    )
    return token, secret


def api_token_check(secret: str) -> ApiToken | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != "vib":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.digest, _digest(secret)):
        return None
    return token
