"""The audit log: append-only, hash-chained events of who read or changed what.

The application has no update or delete path (``save`` refuses an existing row, ``delete``
refuses always, the admin is read-only); on PostgreSQL triggers refuse UPDATE, DELETE and
TRUNCATE of the events, and deleting, truncating or moving back the chain head. The hashes
are keyed (ADR 0093) and ``vib audit verify`` recomputes the chain and compares it with the
signed checkpoints that ``vib audit checkpoint`` writes.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    READ = "read", _("read")
    LIST = "list", _("list")
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")
    EXPORT = "export", _("export")
    LOGIN = "login", _("log in")
    LOGIN_FAILED = "login_failed", _("failed log-in")
    LOGOUT = "logout", _("log out")
    DENIED = "denied", _("access denied")
    TRANSITION = "transition", _("status change")


class Result(models.TextChoices):
    OK = "ok", _("succeeded")
    DENIED = "denied", _("denied")
    FAILED = "failed", _("failed")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    # A sequence number orders the chain; the hash links every event to its predecessor.
    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time (UTC)"))
    actor_id = models.CharField(_("actor"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor name"), max_length=200, blank=True)
    organisation_id = models.CharField(_("organisation"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    origin = models.CharField(
        _("origin"),
        max_length=100,
        blank=True,
        help_text=_("Channel and, for authenticated staff only, their client address."),
    )
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The id of the key (settings.AUDIT_KEYS) whose HMAC ``hash`` is.
    key_id = models.CharField(max_length=16)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id", "at"]),
            models.Index(fields=["organisation_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class ChainHead(models.Model):
    """One row holding the newest hash; locking it serialises appends to the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
