"""Passkeys (WebAuthn) as a second factor: the pages, the JSON endpoints around the package's
ceremonies (the cryptography itself is the package's, exercised in the browser test), and
"My security", which never removes the last factor of a role that requires one."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from vib.accounts.oidc import SESSION_MFA
from vib.accounts.services import role_assign, user_create
from vib.audit.models import AuditEvent
from vib.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return Organisation.objects.create(
        code="GM9981", name="Testgemeente", tier="gemeente", reference_date="2025-01-01"
    )


def _person(organisation, role="ag_coordinator", email="coordinator@example.nl"):
    user = user_create(email=email, full_name="Co Ordinator", password=None)
    role_assign(user=user, role=role, organisation=organisation)
    return user


def _passkey(user) -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user,
        name="Passkey",
        confirmed=True,
        credential_id=os.urandom(16),
        public_key=b"not-a-real-key",
        aaguid="00000000-0000-0000-0000-000000000000",
    )


def _totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def _logged_in(user, verified_by=None) -> Client:
    client = Client()
    client.force_login(user)
    if verified_by is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_by.persistent_id
        session.save()
    return client


def _scripts_obey_the_csp(html: str) -> None:
    """Only external scripts with the nonce, and JSON data blocks; no inline handlers."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'type="application/json"' in tag or ("src=" in tag and "nonce=" in tag), tag
    assert not re.search(r"\son[a-z]+=", html)
    assert "style=" not in html


# --- the second-factor page ----------------------------------------------------------------


def test_the_second_factor_page_offers_a_passkey_next_to_the_code(organisation):
    user = _person(organisation)
    _totp(user)
    _passkey(user)
    response = _logged_in(user).get("/tweede-factor?next=/organisatie/leden")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="token"' in html
    assert 'id="passkey-verification-button"' in html
    assert "<noscript>" in html
    block = re.search(r'id="otp_webauthn_config"[^>]*>(.*?)</script>', html, re.S)
    assert block is not None
    config = json.loads(block.group(1))
    assert config["beginAuthenticationUrl"] == "/tweede-factor/passkey/bevestigen/start/"
    assert config["autocompleteLoginFieldSelector"] is None
    assert 'id="passkey-next" value="/organisatie/leden"' in html
    assert "django_otp_webauthn/otp_webauthn_auth.js" in html
    _scripts_obey_the_csp(html)


def test_without_a_passkey_the_page_is_the_code_only(organisation):
    user = _person(organisation)
    _totp(user)
    html = _logged_in(user).get("/tweede-factor").content.decode()
    assert 'name="token"' in html
    assert "passkey-verification" not in html


def test_with_only_a_passkey_there_is_no_code_form_and_no_set_up(organisation):
    user = _person(organisation)
    _passkey(user)
    client = _logged_in(user)
    response = client.get("/tweede-factor")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="token"' not in html
    assert 'id="passkey-verification-button"' in html
    # A posted code does nothing, and the set-up page cannot add an app around the passkey.
    assert client.post("/tweede-factor", {"token": "123456"}).status_code == 200
    setup = client.get("/tweede-factor/instellen")
    assert setup.status_code == 302
    assert setup["Location"].startswith("/tweede-factor?")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/organisatie/leden").status_code == 302


def test_the_set_up_page_offers_a_passkey_as_the_alternative(organisation):
    user = _person(organisation)
    html = _logged_in(user).get("/tweede-factor/instellen?next=/organisatie/leden").content.decode()
    assert 'id="totp-secret"' in html
    assert 'id="passkey-register-button"' in html
    assert 'data-success-url="/organisatie/leden"' in html
    assert "accounts/passkeys.js" in html
    _scripts_obey_the_csp(html)


# --- the JSON endpoints ------------------------------------------------------------------


def test_a_passkey_never_logs_anyone_in_by_itself():
    client = Client()
    response = client.post("/tweede-factor/passkey/bevestigen/start/")
    assert response.status_code == 403
    assert response.json()["code"] == "passwordless_login_disabled"


def test_a_verified_passkey_confirms_the_session_and_is_audited(organisation, monkeypatch):
    user = _person(organisation)
    device = _passkey(user)
    client = _logged_in(user)
    begin = client.post("/tweede-factor/passkey/bevestigen/start/")
    assert begin.status_code == 200
    assert [c["id"] for c in begin.json()["allowCredentials"]]  # only this user's passkeys
    monkeypatch.setattr(WebAuthnHelper, "authenticate_complete", lambda self, **kw: device)
    done = client.post(
        "/tweede-factor/passkey/bevestigen/afronden/?next=/organisatie/leden",
        data="{}",
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/organisatie/leden"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/organisatie/leden").status_code == 200
    assert AuditEvent.objects.filter(
        action="login", object_id=str(device.pk), reason="second factor (passkey)"
    ).exists()


def test_a_failed_passkey_is_audited_and_confirms_nothing(organisation, monkeypatch):
    from django_otp_webauthn import exceptions

    user = _person(organisation)
    _passkey(user)
    client = _logged_in(user)
    client.post("/tweede-factor/passkey/bevestigen/start/")

    def refuse(self, **kwargs):
        raise exceptions.CredentialUserMismatch()

    monkeypatch.setattr(WebAuthnHelper, "authenticate_complete", refuse)
    done = client.post(
        "/tweede-factor/passkey/bevestigen/afronden/", data="{}", content_type="application/json"
    )
    assert done.status_code == 403
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="login_failed", result="denied").exists()
    assert client.get("/organisatie/leden").status_code == 302


def test_registering_needs_a_confirmed_session_once_there_is_a_factor(organisation):
    user = _person(organisation)
    device = _totp(user)
    begin = "/tweede-factor/passkey/registratie/start/"
    refused = _logged_in(user).post(begin)
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_not_verified"
    assert _logged_in(user, verified_by=device).post(begin).status_code == 200
    # A session that the identity provider confirmed (acr/amr) counts as confirmed.
    client = _logged_in(user)
    session = client.session
    session[SESSION_MFA] = True
    session.save()
    assert client.post(begin).status_code == 200


def test_a_registered_passkey_is_named_audited_and_confirms_a_first_session(
    organisation, monkeypatch
):
    user = _person(organisation)
    client = _logged_in(user)
    assert client.post("/tweede-factor/passkey/registratie/start/").status_code == 200

    def register(self, *, user, state, data):
        credential = _passkey(user)
        credential.name = ""
        credential.save()
        return credential

    monkeypatch.setattr(WebAuthnHelper, "register_complete", register)
    done = client.post(
        "/tweede-factor/passkey/registratie/afronden/", data="{}", content_type="application/json"
    )
    assert done.status_code == 200, done.content
    device = WebAuthnCredential.objects.get(user=user)
    assert device.name == "Passkey"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEvent.objects.filter(
        action="create", object_id=str(device.pk), reason="passkey registered"
    ).exists()
    assert client.get("/organisatie/leden").status_code == 200


# --- My security --------------------------------------------------------------------------


def test_my_security_lists_both_kinds_with_remove_buttons(organisation):
    user = _person(organisation)
    totp = _totp(user)
    passkey = _passkey(user)
    response = _logged_in(user, verified_by=totp).get("/mijn-beveiliging")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="/mijn-beveiliging/totp/{totp.pk}/verwijderen"' in html
    assert f'action="/mijn-beveiliging/passkey/{passkey.pk}/verwijderen"' in html
    assert 'id="passkey-register-button"' in html
    assert 'data-success-url="/mijn-beveiliging"' in html
    assert "<h1" in html
    assert 'id="factors-title"' in html
    _scripts_obey_the_csp(html)


def test_my_security_needs_a_confirmed_session(organisation):
    user = _person(organisation, role="reporter", email="reporter@example.nl")
    _passkey(user)  # not required for a reporter, but who has one confirms before changes
    client = _logged_in(user)
    response = client.get("/mijn-beveiliging")
    assert response.status_code == 302
    assert response["Location"].startswith("/tweede-factor?")
    passkey = WebAuthnCredential.objects.get(user=user)
    assert client.post(f"/mijn-beveiliging/passkey/{passkey.pk}/verwijderen").status_code == 302
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_removing_one_of_two_factors_keeps_the_session_confirmed(organisation):
    user = _person(organisation)
    totp = _totp(user)
    passkey = _passkey(user)
    client = _logged_in(user, verified_by=totp)
    response = client.post(f"/mijn-beveiliging/totp/{totp.pk}/verwijderen", follow=True)
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(pk=totp.pk).exists()
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert client.get("/organisatie/leden").status_code == 200
    assert AuditEvent.objects.filter(
        action="delete", object_id=str(totp.pk), reason="second factor removed"
    ).exists()


def test_the_last_factor_of_a_role_that_requires_one_is_not_removed(organisation):
    user = _person(organisation)
    passkey = _passkey(user)
    client = _logged_in(user, verified_by=passkey)
    response = client.post(f"/mijn-beveiliging/passkey/{passkey.pk}/verwijderen", follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert 'role="alert"' in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", result="denied", reason="last second factor"
    ).exists()


def test_a_role_without_the_requirement_may_remove_its_last_factor(organisation):
    user = _person(organisation, role="reporter", email="reporter@example.nl")
    passkey = _passkey(user)
    client = _logged_in(user, verified_by=passkey)
    client.post(f"/mijn-beveiliging/passkey/{passkey.pk}/verwijderen")
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert client.get("/mijn-beveiliging").status_code == 200


def test_nobody_removes_someone_elses_factor(organisation):
    user = _person(organisation)
    own = _totp(user)
    _passkey(user)
    other = _person(organisation, email="ander@example.nl")
    theirs = _passkey(other)
    _totp(other)
    client = _logged_in(user, verified_by=own)
    assert client.post(f"/mijn-beveiliging/passkey/{theirs.pk}/verwijderen").status_code == 404
    assert client.get(f"/mijn-beveiliging/passkey/{own.pk}/verwijderen").status_code == 405
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
