"""The second factor: TOTP devices (django-otp), set up and verified in the browser."""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vib.audit.models import Action, Result
from vib.audit.services import audit_record


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
