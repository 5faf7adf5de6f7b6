"""The second factor: TOTP devices and passkeys (django-otp, django-otp-webauthn), set up,
verified and removed in the browser."""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from vib.accounts.models import Actor
from vib.accounts.selectors import requires_second_factor
from vib.audit.models import Action, Result
from vib.audit.services import audit_record

PASSKEY_NAME = "Passkey"


class LastFactorError(Exception):
    """Removing this factor would leave a role that requires one without any."""


def confirmed_device(user: Any) -> TOTPDevice | None:
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice):
            return device
    return None


def pending_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@transaction.atomic
def totp_device_start(*, user: Any) -> TOTPDevice:
    """An unconfirmed device to scan; replaces an earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


def totp_qr_data_uri(device: TOTPDevice) -> str:
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def totp_secret_for_humans(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_device_confirm(*, request: Any, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token.replace(" ", "")):
        audit_record(
            actor=request.user,
            action=Action.LOGIN_FAILED,
            obj=device,
            result=Result.DENIED,
            request=request,
            reason="second factor set-up",
        )
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_record(
        actor=request.user,
        action=Action.CREATE,
        obj=device,
        request=request,
        reason="second factor set up",
    )
    return True


def totp_verify(*, request: Any, token: str) -> bool:
    device = confirmed_device(request.user)
    if device is None or not device.verify_token(token.replace(" ", "")):
        audit_record(
            actor=request.user,
            action=Action.LOGIN_FAILED,
            object_type="otp_totp.totpdevice",
            result=Result.DENIED,
            request=request,
            reason="second factor",
        )
        return False
    otp_login(request, device)
    audit_record(
        actor=request.user, action=Action.LOGIN, obj=device, request=request, reason="second factor"
    )
    return True


def demo_current_code(user: Any) -> str | None:
    """In demo mode only: the current code of a demo user's device, shown as a hint."""
    if not settings.DEMO_MODE:
        return None
    device = confirmed_device(user)
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# --- passkeys and the factors together --------------------------------------------------------


def passkeys_of(user: Any) -> list[WebAuthnCredential]:
    return list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")
    )


def has_passkey(user: Any) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def factors_of(user: Any) -> list[TOTPDevice | WebAuthnCredential]:
    """The user's confirmed second factors: authenticator apps first, then passkeys."""
    totp = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
    return [*totp, *passkeys_of(user)]


def has_any_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or has_passkey(user)


def passkey_registered(*, request: Any, device: WebAuthnCredential) -> None:
    """After the package stored a new credential: give it a name and audit it."""
    if not device.name:
        device.name = PASSKEY_NAME
        device.save(update_fields=["name"])
    audit_record(
        actor=request.user,
        action=Action.CREATE,
        obj=device,
        request=request,
        reason="passkey registered",
    )


def passkey_verified(*, request: Any, device: WebAuthnCredential) -> None:
    """A passkey confirmed this session: mark it verified the way django-otp does."""
    otp_login(request, device)
    audit_record(
        actor=request.user,
        action=Action.LOGIN,
        obj=device,
        request=request,
        reason="second factor (passkey)",
    )


def passkey_failed(*, request: Any, code: str) -> None:
    audit_record(
        actor=request.user,
        action=Action.LOGIN_FAILED,
        object_type=WebAuthnCredential._meta.label_lower,
        result=Result.DENIED,
        request=request,
        reason=f"second factor (passkey): {code}"[:200],
    )


def factor_for_user(user: Any, kind: str, pk: int) -> TOTPDevice | WebAuthnCredential | None:
    model = {"totp": TOTPDevice, "passkey": WebAuthnCredential}.get(kind)
    if model is None:
        return None
    return model.objects.filter(user=user, confirmed=True, pk=pk).first()


def factor_reset(*, actor: Actor, device: Any, request: Any | None = None) -> None:
    """A platform admin removes someone's second factor (a lost phone), audited.

    The person sets up a new one themselves at their next log-in; no admin ever creates a
    factor for someone else or sees its secret (ADR 0145).
    """
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Action.DELETE,
            obj=device,
            request=request,
            reason="second factor reset by a platform admin",
        )
        device.delete()


def factor_remove(*, request: Any, device: TOTPDevice | WebAuthnCredential) -> None:
    """Remove one of the user's own factors; never the last one of a role that requires one.

    Raises ``LastFactorError`` (audited). The user row is locked, so two removals at once
    cannot both pass the check.
    """
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=request.user.pk)
        others = [f for f in factors_of(user) if f.persistent_id != device.persistent_id]
        refused = not others and requires_second_factor(user)
        if not refused:
            audit_record(
                actor=request.user,
                action=Action.DELETE,
                obj=device,
                request=request,
                reason="second factor removed",
            )
            removed_id = device.persistent_id
            device.delete()
    if refused:
        audit_record(
            actor=request.user,
            action=Action.DELETE,
            obj=device,
            result=Result.DENIED,
            request=request,
            reason="last second factor",
        )
        raise LastFactorError
    session_device = getattr(request.user, "otp_device", None)
    if session_device is not None and session_device.persistent_id == removed_id:
        # The session was confirmed; it stays confirmed, now on a factor that still exists.
        if others:
            otp_login(request, others[0])
        else:
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            request.user.otp_device = None
