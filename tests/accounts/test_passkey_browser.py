"""Passkeys end to end in Debian's Chromium with its virtual authenticator (CDP WebAuthn
domain): a coordinator logs in with password and TOTP code, registers a passkey on "My
security", logs out, logs in again and confirms the session with the passkey."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from tests.browser.axe import violations as _axe

from vib.audit.models import AuditEvent

pytestmark = pytest.mark.browser

EMAIL = "coordinator-ag@demo.vib.nl"


def _log_in(page: Any, base: str, password: str) -> None:
    page.goto(f"{base}/inloggen")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", password)
    page.click("form[action='/inloggen'] button[type=submit]")
    page.wait_for_url(re.compile(r"/tweede-factor"))


def test_register_a_passkey_and_confirm_the_next_session_with_it(
    browser: Any, live_server: Any, live_demo: Any, settings: Any
) -> None:
    # WebAuthn needs a secure context and an RP id that is the page's host: localhost is both.
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [base]
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]

    # 1. Password and the TOTP code (demo mode shows it).
    password = live_demo.password(EMAIL)
    _log_in(page, base, password)
    page.locator("input[name=token]").fill(page.locator("#demo-code").inner_text())
    page.locator("input[name=token]").press("Enter")
    page.wait_for_url(f"{base}/")

    # 2. "My security": register a passkey; the page comes back listing it.
    page.goto(f"{base}/mijn-beveiliging")
    assert page.locator("tr[data-kind=passkey]").count() == 0
    page.locator("#passkey-register-button").click()
    page.locator("tr[data-kind=passkey]").wait_for()
    assert page.locator("tr[data-kind=totp]").count() == 1
    credential = WebAuthnCredential.objects.get(user__email=EMAIL)
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1
    violations = _axe(page)

    # 3. Log out, log in again, confirm with the passkey: the start page.
    page.locator("form[action='/uitloggen'] button").first.click()
    page.wait_for_url(re.compile(r"/inloggen"))
    _log_in(page, base, password)
    violations += _axe(page)
    page.locator("#passkey-verification-button").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("heading", level=1).count() == 1
    assert AuditEvent.objects.filter(
        action="login", object_id=str(credential.pk), reason="second factor (passkey)"
    ).exists()
    credential.refresh_from_db()
    assert credential.last_used_at is not None
    assert not violations, violations
    assert not problems, problems  # no CSP violations, no script errors
    context.close()
