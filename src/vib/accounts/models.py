"""People, their roles per organisation (roles are data), and API tokens."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vib.core.crypto import EncryptedTextField
from vib.core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Platform admins are ``is_staff``; they see no case contents."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform admin"),
        default=False,
        help_text=_("May use the Django admin. Gives no access to confidential records."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email


# The acting person of a write (ADR 0133): every service takes it as the keyword
# ``actor: Actor`` (``Actor | None`` where a job or an operator's command acts without one);
# ``user`` names whom a read is for inside ``vib.access`` and the person a write is about. An
# alias, not a Protocol: services store the actor in foreign keys and audit rows, so mypy must
# check that it is a user of this installation. A view hands it over with
# ``vib.accounts.middleware.logged_in_user(request)``.
type Actor = User


class Role(models.Model):
    """A role from docs/domain.md §2. Roles are data: permissions refer to codes, not groups."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name_nl = models.CharField(_("Dutch name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    organisation_bound = models.BooleanField(
        _("held within an organisation"),
        default=True,
        help_text=_("Sector analysts and platform admins act outside any single organisation."),
    )
    requires_second_factor = models.BooleanField(
        _("requires a second factor"),
        default=True,
        help_text=_("Holders must log in with a second factor (roles that see personal data)."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_nl if (get_language() or "nl").startswith("nl") else self.name_en


class RoleAssignment(BaseModel):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Optional: limits the role to one organisational unit."),
    )
    function = models.CharField(
        _("function"),
        max_length=100,
        blank=True,
        help_text=_("E.g. burgemeester, raadslid, beleidsmedewerker."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # Portable "NULLS NOT DISTINCT": one constraint per combination of empty fields.
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "unit"],
                condition=models.Q(organisation__isnull=False, unit__isnull=False),
                name="role_assignment_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=models.Q(organisation__isnull=False, unit__isnull=True),
                name="role_assignment_unique_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(organisation__isnull=True),
                name="role_assignment_unique_global",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.organisation or '-'}"


class ApiToken(BaseModel):
    """A token for machine clients. Only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # Space-separated ``<module>:read`` / ``<module>:write`` (vib.api.scopes).
    scopes = models.CharField(_("scopes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class RoleCapability(models.Model):
    """What a role may do, as data. Capability codes are declared by the apps (``capabilities``)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="capabilities")
    capability = models.CharField(_("capability"), max_length=60)

    class Meta:
        verbose_name = _("role capability")
        verbose_name_plural = _("role capabilities")
        constraints = [
            models.UniqueConstraint(fields=["role", "capability"], name="role_capability_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.capability}"


class GrantKind(models.TextChoices):
    ROLE = "role", _("grant a role")
    ADD_CAPABILITY = "add_capability", _("add a capability to a role")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("awaits approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class RoleGrantRequest(BaseModel):
    """A grant that waits for a second person (four eyes, docs/authorization.md).

    A platform admin who grants a confidential role, or adds a confidential capability to a
    role, gets one of these instead of the grant. Only another authorised person can approve
    it: the organisation's own administrator for a role within an organisation, another
    platform admin otherwise; never the requester, never the person it is for.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=GrantKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT)
    capability = models.CharField(_("capability"), max_length=60, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grant_requests",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    function = models.CharField(_("function"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant awaiting approval")
        verbose_name_plural = _("grants awaiting approval")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "organisation"])]

    def __str__(self) -> str:
        if self.kind == GrantKind.ADD_CAPABILITY:
            return f"{self.role_id} + {self.capability}"
        return f"{self.user} — {self.role} — {self.organisation or '-'}"


class IdentityProvider(BaseModel):
    """An organisation's OpenID Connect provider for single sign-on.

    The provider proves who someone is; it grants no role unless the organisation maps a
    claim onto roles here. A second factor is accepted from it only when its ``acr``/``amr``
    claims say so and the organisation trusts those values.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="identity_providers",
    )
    name = models.CharField(_("button text"), max_length=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    issuer = models.URLField(_("issuer"))
    authorization_endpoint = models.URLField(_("authorization endpoint"))
    token_endpoint = models.URLField(_("token endpoint"))
    userinfo_endpoint = models.URLField(_("userinfo endpoint"))
    jwks_uri = models.URLField(_("JWKS URI"))
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret = EncryptedTextField(_("client secret"))
    signing_algorithm = models.CharField(_("signing algorithm"), max_length=10, default="RS256")
    scopes = models.CharField(_("scopes"), max_length=200, default="openid email profile")
    trusted_acr_values = models.CharField(
        _("acr values that prove a second factor"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. urn:etoegang:core:assurance-class:loa3."),
    )
    trusted_amr_values = models.CharField(
        _("amr values that prove a second factor"),
        max_length=300,
        blank=True,
        default="mfa,otp,hwk,swk",
    )
    create_users = models.BooleanField(
        _("create unknown users"),
        default=False,
        help_text=_("Otherwise only people with an account (matched on e-mail) can log in."),
    )
    role_claim = models.CharField(
        _("claim with roles"),
        max_length=100,
        blank=True,
        help_text=_("Leave empty: the provider grants no roles."),
    )
    role_mapping = models.JSONField(
        _("claim value → role code"),
        default=dict,
        blank=True,
    )

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @staticmethod
    def _values(raw: str) -> set[str]:
        return {value.strip() for value in raw.split(",") if value.strip()}

    def asserts_second_factor(self, claims: dict[str, Any]) -> bool:
        acr = claims.get("acr")
        amr = claims.get("amr") or []
        if isinstance(amr, str):
            amr = [amr]
        return bool(
            (acr and acr in self._values(self.trusted_acr_values))
            or self._values(self.trusted_amr_values).intersection(amr)
        )
