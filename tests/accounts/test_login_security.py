"""Log-in security: second factor, lock-out, time-outs, headers and operational endpoints."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vib.accounts.middleware import SESSION_SEEN_AT
from vib.accounts.services import role_assign, user_create
from vib.organisations.models import Organisation

pytestmark = pytest.mark.django_db
PASSWORD = "een lange wachtzin van de coordinator"


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        code="GM9991", name="Testgemeente", tier="gemeente", reference_date="2025-01-01"
    )


def _person(organisation, role, email="persoon@example.nl"):
    user = user_create(email=email, full_name="Test Persoon", password=PASSWORD)
    role_assign(user=user, role=role, organisation=organisation)
    return user


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _log_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/inloggen", {"username": email, "password": password})


def test_a_coordinator_must_set_up_and_use_a_second_factor(organisation):
    user = _person(organisation, "ag_coordinator")
    client = Client()
    _log_in(client, user.email)
    response = client.get("/organisatie/eenheden")
    assert response.status_code == 302
    assert response["Location"].startswith("/tweede-factor")
    # No device yet: set one up by scanning the code, then confirm with a code.
    setup = client.get("/tweede-factor", follow=True)
    assert setup.redirect_chain[-1][0].startswith("/tweede-factor/instellen")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = client.post("/tweede-factor/instellen", {"token": _code(device)})
    assert confirmed.status_code == 302
    assert client.get("/organisatie/eenheden").status_code == 200


def test_a_wrong_code_is_refused_and_the_right_one_admits(organisation):
    user = _person(organisation, "integrity_officer")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    _log_in(client, user.email)
    wrong = client.post(
        "/tweede-factor", {"token": "123456" if _code(device) != "123456" else "654321"}
    )
    assert wrong.status_code == 200
    assert client.get("/organisatie/leden").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    assert client.post("/tweede-factor", {"token": _code(device)}).status_code == 302
    assert client.get("/organisatie/leden").status_code == 200


def test_a_reporter_needs_no_second_factor(organisation):
    user = _person(organisation, "reporter")
    client = Client()
    _log_in(client, user.email)
    assert client.get("/").status_code == 200


def test_an_unverified_api_session_gets_a_problem_403(organisation):
    user = _person(organisation, "org_admin")
    client = Client()
    _log_in(client, user.email)
    response = client.get(f"/api/v1/organisaties/{organisation.id}/eenheden")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_repeated_failures_lock_the_account_from_that_address(organisation, settings):
    user = _person(organisation, "reporter")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, user.email, "fout wachtwoord")
    locked = _log_in(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_long_passphrases_are_allowed(organisation):
    passphrase = "paard " * 40
    user = user_create(email="lang@example.nl", full_name="Lang", password=passphrase.strip())
    role_assign(user=user, role="reporter", organisation=organisation)
    client = Client()
    _log_in(client, user.email, passphrase.strip())
    assert client.get("/").status_code == 200


def test_an_idle_session_ends(organisation, settings):
    user = _person(organisation, "reporter")
    client = Client()
    _log_in(client, user.email)
    session = client.session
    session[SESSION_SEEN_AT] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert "verlopen" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_loses_the_session(organisation):
    user = _person(organisation, "reporter")
    client = Client()
    _log_in(client, user.email)
    assert client.get("/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/").status_code == 302


def test_log_out_clears_site_data_and_pages_are_not_stored(organisation):
    user = _person(organisation, "reporter")
    client = Client()
    _log_in(client, user.email)
    page = client.get("/")
    assert page["Cache-Control"] == "no-store"
    assert "camera=()" in page["Permissions-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    response = client.post("/uitloggen")
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_health_readiness_and_security_txt(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok"}
    text = client.get("/.well-known/security.txt").content.decode()
    assert text.startswith("Contact: mailto:")
    assert "Expires: " in text
    assert "Preferred-Languages: nl, en" in text


def test_password_spraying_across_accounts_is_slowed_per_address(organisation, settings):
    """django-axes counts per user name and address: one wrong password for each of many
    accounts was never slowed. Now failures from one address across names are (ADR 0092)."""
    from datetime import timedelta

    import time_machine
    from django.core.cache import cache
    from django.utils import timezone

    from vib.core import ratelimit

    cache.clear()
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    victim = _person(organisation, "reporter", email="doel@example.nl")
    sprayer = Client(REMOTE_ADDR="203.0.113.50")
    for number in range(3):  # one guess each for three other accounts
        assert _log_in(sprayer, f"persoon{number}@example.nl", "Welkom01!").status_code == 200
    slowed = _log_in(sprayer, victim.email, PASSWORD)
    assert slowed.status_code == 429
    assert "_auth_user_id" not in sprayer.session
    token = slowed.context["wait_token"]
    assert token
    # A second request from there gets no second token while the first ripens.
    assert _log_in(sprayer, victim.email, "nog een gok").context["wait_token"] == ""
    # Another address is not slowed.
    assert _log_in(Client(REMOTE_ADDR="198.51.100.3"), victim.email, PASSWORD).status_code == 302
    # After the wait the right password is admitted: slowed, never refused.
    later = timezone.now() + timedelta(seconds=ratelimit.WAIT_SECONDS + 1)
    with time_machine.travel(later):
        admitted = sprayer.post(
            "/inloggen", {"username": victim.email, "password": PASSWORD, "wacht": token}
        )
    assert admitted.status_code == 302
    cache.clear()


def test_behind_a_trusted_proxy_each_client_counts_apart(organisation, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    user = _person(organisation, "reporter")
    sprayer = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.50")
    for number in range(2):
        _log_in(sprayer, f"persoon{number}@example.nl", "Welkom01!")
    assert _log_in(sprayer, user.email, PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.3")
    assert _log_in(colleague, user.email, PASSWORD).status_code == 302
    cache.clear()
