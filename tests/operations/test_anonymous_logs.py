"""Anonymous routes leave no trace in the logs, read from a real gunicorn run (ADR 0090, 0091).

gunicorn serves a scratch copy of the test database (``scratch_database``, tests/conftest.py);
the test reads what the app wrote to stderr, in the JSON and in the plain format. A reporter
makes a report, opens the mailbox and writes in it; a request with a forged form (no CSRF
token) makes Django itself log a warning *during* an anonymous route; a logged-in employee
visits a normal page (the control: their lines carry their id and address) and then tries the
intake, which refuses them.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from .test_production import VENV_BIN, _env, _free_port

pytestmark = pytest.mark.django_db

AGENT = "Mozilla/5.0 (SpoorTest; Reporter-Agent-4711)"
FORGED_REQUEST_ID = "proxy-request-id-0123456789"
CODE = re.compile(r'data-testid="receipt-code">([0-9A-Z-]+)<')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Any time of day: 12:34, 12:34:56, T12:34 (the day alone is allowed).
TIME_OF_DAY = re.compile(r"\d{2}:\d{2}")


def _days() -> set[str]:
    """Today in UTC and in local time (they differ for an hour or two around midnight)."""
    now = datetime.now(UTC)
    return {now.date().isoformat(), now.astimezone(ZoneInfo(settings.TIME_ZONE)).date().isoformat()}


SETUP = """
from django.test import Client
from vib.accounts.oidc import SESSION_MFA
from vib.accounts.services import role_assign, user_create
from vib.organisations.models import Organisation
import datetime
org = Organisation.objects.create(code="GM9501", name="Spoorgemeente",
                                  tier="gemeente", reference_date=datetime.date(2026, 1, 1))
user = user_create(email="medewerker@spoor.test", full_name="Mede Werker",
                   password="a-long-test-password")
role_assign(user=user, role="reporter", organisation=org)
client = Client()
client.force_login(user)
session = client.session
session[SESSION_MFA] = True
session.save()
print(org.pk, user.pk, client.cookies["sessionid"].value)
"""


class Browser:
    """A cookie-keeping HTTP client with a fixed user agent, as a visitor's browser."""

    def __init__(self, base: str, session: str = "") -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.session = session

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": AGENT}
        if self.session:
            headers["Cookie"] = f"sessionid={self.session}"
        else:  # a reporter behind a proxy that sets a request id (it must not be taken over)
            headers["X-Request-ID"] = FORGED_REQUEST_ID
        return headers

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=self._headers())  # noqa: S310
        return self._open(request)

    def post(self, path: str, data: dict[str, str], *, token: str | None = None) -> tuple[int, str]:
        if token is not None:
            data = {**data, "csrfmiddlewaretoken": token}
        headers = {**self._headers(), "Referer": self.base + path}
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, body, headers))  # noqa: S310

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, page: str) -> str:
        found = TOKEN.search(page)
        assert found, page[:500]
        return found.group(1)


def _serve(database_url: str, tmp: Path, log_format: str) -> tuple[subprocess.Popen[str], str]:
    env = {**_env(database_url, tmp), "VIB_LOG_FORMAT": log_format, "VIB_LOG_LEVEL": "INFO"}
    port = _free_port()
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "vib.conf.wsgi",
            "--workers=1",
            "--timeout=120",  # a shared, busy test machine
            f"--bind=127.0.0.1:{port}",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=60):  # noqa: S310 - local
                return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError(server.communicate()[0])


def _stop(server: subprocess.Popen[str]) -> str:
    server.terminate()
    return server.communicate(timeout=30)[0]


@pytest.fixture(scope="module")
def people(scratch_database, tmp_path_factory) -> dict[str, str]:
    database_url, _ = scratch_database
    env = _env(database_url, tmp_path_factory.mktemp("setup"))
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "vib", "shell", "-c", SETUP],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    organisation, user, session = done.stdout.split()[-3:]
    return {"organisation": organisation, "user": user, "session": session}


def _visit(base: str, people: dict[str, str]) -> dict[str, Any]:
    """The visits of the module docstring; returns what the test checks against."""
    intake = f"/integriteit/melden/{people['organisation']}"
    reporter = Browser(base)
    status, page = reporter.get(intake)
    assert status == 200, page[:300]
    status, receipt = reporter.post(
        intake,
        {
            "case_type": "report",
            "channel": "anonymous",
            "summary": "Er wordt geknoeid met declaraties op afdeling X.",
        },
        token=reporter.token(page),
    )
    assert status == 200, receipt[:2000]
    code = CODE.search(receipt)
    assert code, receipt[:2000]
    status, page = reporter.get("/integriteit/brievenbus")
    status, mailbox = reporter.post(
        "/integriteit/brievenbus", {"code": code.group(1)}, token=reporter.token(page)
    )
    assert status == 200
    status, _ = reporter.post(
        "/integriteit/brievenbus/berichten",
        {"body": "Aanvulling: het gebeurt elke maand."},
        token=reporter.token(mailbox),
    )
    assert status == 200
    # A forged form: Django's CSRF check logs a warning while the anonymous route is handled.
    forged, _ = Browser(base).post(intake, {"summary": "x"})
    assert forged == 403

    employee = Browser(base, session=people["session"])
    status, _ = employee.get("/")
    assert status == 200
    status, notice = employee.get(intake)
    assert status == 200
    assert 'data-testid="logged-in-notice"' in notice
    assert 'name="summary"' not in notice  # no report form while logged in
    return {"code": code.group(1)}


def _no_trace(output: str, people: dict[str, str], code: str) -> None:
    for secret in (AGENT, "SpoorTest", code, FORGED_REQUEST_ID, "medewerker@spoor.test"):
        assert secret not in output, secret


def test_json_logs_of_anonymous_routes_hold_no_user_address_agent_or_time(
    scratch_database,
    people,
    tmp_path,
):
    database_url, query = scratch_database
    server, base = _serve(database_url, tmp_path, "json")
    try:
        seen = _visit(base, people)
    finally:
        output = _stop(server)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    # The control: the employee's own page is logged with their id and address.
    own = [line for line in requests if line["actor"] == people["user"]]
    assert own, requests
    assert all("integriteit" not in line["route"] for line in own), own
    assert own[0]["client"] == "127.0.0.1"
    assert TIME_OF_DAY.search(own[0]["timestamp"])
    # Anonymous routes succeed without a line; Django's CSRF warning during one is day-stamped.
    assert not [line for line in requests if "integriteit" in line["route"]], requests
    csrf = [line for line in lines if line["logger"] == "django.security.csrf"]
    assert csrf, lines
    for line in csrf:
        assert line["timestamp"] in _days()
        assert line["actor"] == line["organisation"] == ""
        assert line["request_id"] != FORGED_REQUEST_ID
        assert "client" not in line
    _no_trace(output, people, seen["code"])
    # The report exists and carries the day only.
    ((received,),) = query("SELECT received_at FROM integrity_case")
    received = received if isinstance(received, datetime) else datetime.fromisoformat(received)
    local = received.replace(tzinfo=received.tzinfo or UTC).astimezone(ZoneInfo(settings.TIME_ZONE))
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0), local


def test_plain_logs_of_anonymous_routes_carry_the_day_only(
    scratch_database,
    people,
    tmp_path,
):
    database_url, _ = scratch_database
    server, base = _serve(database_url, tmp_path, "plain")
    try:
        intake = f"/integriteit/melden/{people['organisation']}"
        assert Browser(base).get(intake)[0] == 200
        assert Browser(base).post(intake, {"summary": "x"})[0] == 403  # CSRF warning
        assert Browser(base).get("/inloggen")[0] == 200
        assert Browser(base).post("/inloggen", {"username": "x"})[0] == 403  # the control
    finally:
        output = _stop(server)
    csrf = [line for line in output.splitlines() if "django.security.csrf" in line]
    assert len(csrf) == 2, output
    anonymous, control = csrf
    day, level = anonymous.split(" ")[:2]
    assert day in _days(), anonymous
    assert level == "WARNING", anonymous
    assert TIME_OF_DAY.search(anonymous) is None, anonymous
    assert TIME_OF_DAY.search(control), control  # outside anonymous routes: the full time
    assert AGENT not in output
