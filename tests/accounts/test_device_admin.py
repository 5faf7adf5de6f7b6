"""A platform admin never reads or sets another person's second factor (ADR 0145).

Before: /beheer/otp_totp/totpdevice/<pk>/qrcode/ served another person's TOTP secret as a QR
code, the backup-code device's page listed its codes, and a platform admin could add a device
with a key or codes of their own choosing for anyone — with a changed e-mail address and a
password reset, a way into an integrity officer's account.
"""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vib.accounts.services import role_assign, user_create
from vib.audit.models import AuditEvent
from vib.audit.selectors import audit_chain_problems

pytestmark = pytest.mark.django_db
PASSWORD = "een lange wachtzin voor de beheerder"


@pytest.fixture
def world(db):
    staff = user_create(
        email="pb@platform.example", full_name="Piet Platform", password=PASSWORD, is_staff=True
    )
    staff.is_superuser = True  # as the demo's platform admin
    staff.save(update_fields=["is_superuser"])
    role_assign(user=staff, role="platform_admin", organisation=None)
    officer = user_create(email="io@min.example", full_name="Ida Officier", password=PASSWORD)
    totp = TOTPDevice.objects.create(user=officer, name="Telefoon", confirmed=True)
    backup = StaticDevice.objects.create(user=officer, name="Reservecodes", confirmed=True)
    StaticToken.objects.create(device=backup, token="geheim1234")
    return staff, officer, totp, backup


def test_no_secret_of_someone_else_is_shown(client, world) -> None:
    staff, _officer, totp, backup = world
    client.force_login(staff)
    base = "/beheer/otp_totp/totpdevice"
    assert client.get(f"{base}/{totp.pk}/qrcode/").status_code == 403
    assert client.get(f"{base}/{totp.pk}/config/").status_code == 403
    page = client.get(f"{base}/{totp.pk}/change/")
    assert page.status_code == 200  # read-only: that the factor exists, and when it was used
    assert totp.key not in page.content.decode()
    codes = client.get(f"/beheer/otp_static/staticdevice/{backup.pk}/change/")
    assert codes.status_code == 200
    assert "geheim1234" not in codes.content.decode()


def test_no_factor_is_created_or_changed_for_someone_else(client, world) -> None:
    staff, officer, totp, _backup = world
    client.force_login(staff)
    for model in ("otp_totp/totpdevice", "otp_static/staticdevice"):
        assert client.get(f"/beheer/{model}/add/").status_code == 403
        posted = client.post(
            f"/beheer/{model}/add/", {"user": officer.pk, "name": "x", "confirmed": "on"}
        )
        assert posted.status_code == 403
    changed = client.post(
        f"/beheer/otp_totp/totpdevice/{totp.pk}/change/",
        {"user": staff.pk, "name": "overgenomen", "confirmed": "on"},
    )
    assert changed.status_code == 403
    totp.refresh_from_db()
    assert (totp.user_id, totp.name) == (officer.pk, "Telefoon")
    assert TOTPDevice.objects.count() == 1
    assert StaticDevice.objects.count() == 1


def test_removing_a_lost_factor_is_audited(client, world) -> None:
    staff, _officer, totp, _backup = world
    client.force_login(staff)
    response = client.post(f"/beheer/otp_totp/totpdevice/{totp.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=totp.pk).exists()
    event = AuditEvent.objects.get(reason="second factor reset by a platform admin")
    assert str(event.actor_id) == str(staff.pk)
    assert list(audit_chain_problems()) == []
