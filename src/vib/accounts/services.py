"""All writes about people, roles and tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from vib.accounts.models import ApiToken, Role, RoleAssignment, User
from vib.accounts.selectors import forget_capabilities
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


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: Role | str,
    organisation: Organisation | None,
    unit: Unit | None = None,
    function: str = "",
    valid_from: date | None = None,
) -> RoleAssignment:
    role_obj = role if isinstance(role, Role) else Role.objects.get(code=role)
    if role_obj.organisation_bound and organisation is None:
        raise ValidationError({"organisation": _("This role is held within an organisation.")})
    if not role_obj.organisation_bound and organisation is not None:
        raise ValidationError({"organisation": _("This role is not tied to one organisation.")})
    if unit is not None and unit.organisation_id != getattr(organisation, "id", None):
        raise ValidationError({"unit": _("The unit belongs to another organisation.")})
    assignment = RoleAssignment(
        user=user, role=role_obj, organisation=organisation, unit=unit, function=function
    )
    if valid_from is not None:
        assignment.valid_from = valid_from
    assignment.save()
    forget_capabilities(user)  # an open capabilities_read_once() block sees the new role
    return assignment


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and only its digest is kept."""
    prefix = secrets.token_hex(4)
    secret = f"vib_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret))
    return token, secret


def api_token_check(secret: str) -> ApiToken | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != "vib":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.digest, _digest(secret)):
        return None
    return token
