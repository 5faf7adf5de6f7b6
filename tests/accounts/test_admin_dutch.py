"""The management screens (/beheer/) in Dutch: role names not codes, no groups screen, the
second-factor device lists with Dutch column headings and without anyone's QR code."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def test_management_screens_show_names_and_dutch_headings(admin_client, admin_user) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin_user, name="Telefoon", confirmed=True)
    StaticDevice.objects.create(user=admin_user, name="Reservecodes", confirmed=True)
    roles = admin_client.get("/beheer/accounts/role/").content.decode()
    assert "Integriteitscoördinator" in roles
    assert ">integrity_officer<" not in roles  # the code is no column
    assert not admin.site.is_registered(Group)
    assert admin_client.get("/beheer/auth/group/").status_code == 404
    for url in ("/beheer/otp_totp/totpdevice/", "/beheer/otp_static/staticdevice/"):
        page = admin_client.get(url).content.decode()
        for heading in ("Gebruiker", "Naam", "Aangemaakt op", "Bevestigd"):
            assert heading in page, (url, heading)
        # As a word: the page's random CSRF token may hold the letters "QR".
        assert not re.search(r"\bQR\b", page)
        assert 'alt="Search"' not in page
        assert "doorzoeken" in page  # the search form's heading
