"""Single sign-on through a real OpenID Connect provider (panva's oidc-provider on Node.js),
driven in Debian's Chromium: the provider proves who you are, VIB still asks the second
factor unless the provider asserts one, and you land on your organisation's start page."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vib.accounts.models import IdentityProvider
from vib.accounts.services import role_assign, user_create
from vib.organisations.models import Organisation

pytestmark = pytest.mark.browser

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
EMAIL = "coordinator@testgemeente.example"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _node_modules() -> None:
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=PROVIDER_DIR, check=True
        )


@pytest.fixture
def start_provider(live_server) -> Iterator:
    _node_modules()
    processes: list[subprocess.Popen] = []

    def start(amr: str) -> str:
        port = _free_port()
        env = {
            **os.environ,
            "PORT": str(port),
            "CLIENT_ID": "vib-test",
            "CLIENT_SECRET": "vib-test-secret",
            "REDIRECT_URI": f"{live_server.url}/inloggen/sso-terug",
            "AMR": amr,
        }
        process = subprocess.Popen(
            ["node", "server.mjs"],
            cwd=PROVIDER_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        issuer = f"http://127.0.0.1:{port}"
        # Node may take long to start on a busy machine (the crawl's parts run beside this
        # module, ADR 0130): wait up to a minute, unless the provider has already exited.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1)  # noqa: S310
                return issuer
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the OpenID provider did not start (exit status {process.poll()})")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def tenant(live_db):
    organisation = Organisation.objects.create(
        code="GM9992", name="Testgemeente Noord", tier="gemeente", reference_date="2025-01-01"
    )
    Organisation.objects.create(
        code="GM9993", name="Andere Gemeente", tier="gemeente", reference_date="2025-01-01"
    )
    user = user_create(email=EMAIL, full_name="Co Ordinator", password=None)
    role_assign(user=user, role="ag_coordinator", organisation=organisation)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return organisation, device


def _configure(organisation: Organisation, issuer: str) -> None:
    IdentityProvider.objects.create(
        organisation=organisation,
        name="Inloggen met Testgemeente-account",
        issuer=issuer,
        authorization_endpoint=f"{issuer}/auth",
        token_endpoint=f"{issuer}/token",
        userinfo_endpoint=f"{issuer}/me",
        jwks_uri=f"{issuer}/jwks",
        client_id="vib-test",
        client_secret="vib-test-secret",
        trusted_amr_values="otp,mfa",
    )


def _sign_in_at_provider(page, live_server) -> None:
    page.goto(f"{live_server.url}/inloggen")
    page.get_by_role("link", name="Inloggen met Testgemeente-account").click()
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", "whatever-the-provider-checks")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/**")


def test_sso_then_second_factor_lands_on_the_organisation(
    browser, live_server, tenant, start_provider
):
    organisation, device = tenant
    _configure(organisation, start_provider("pwd"))
    page = browser.new_page()
    _sign_in_at_provider(page, live_server)
    assert "/tweede-factor" in page.url  # the provider asserted only a password
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("input[name=token]", f"{totp.token():06d}")
    page.locator("form button.utrecht-button--primary-action").click()
    page.wait_for_url(f"{live_server.url}/")
    assert organisation.name in page.content()
    page.close()


def test_a_second_factor_asserted_by_the_provider_is_accepted(
    browser, live_server, tenant, start_provider
):
    organisation, _device = tenant
    _configure(organisation, start_provider("pwd,otp"))
    page = browser.new_page()
    _sign_in_at_provider(page, live_server)
    assert page.url == f"{live_server.url}/"
    assert organisation.name in page.content()
    page.close()


def test_a_coordinator_without_second_factor_is_refused(
    browser, live_server, tenant, start_provider
):
    organisation, _device = tenant
    _configure(organisation, start_provider("pwd"))
    page = browser.new_page()
    _sign_in_at_provider(page, live_server)
    for path in ("/", "/organisatie/leden", "/organisatie/eenheden"):
        page.goto(f"{live_server.url}{path}")
        assert "/tweede-factor" in page.url, path
    response = page.request.get(f"{live_server.url}/api/v1/organisaties/{organisation.id}/eenheden")
    assert response.status == 403
    page.close()
