"""``vib tokens create|list|revoke``."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from vib.audit.models import AuditEvent

from .conftest import assert_problem, token_client

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("tokens", *args, stdout=out)
    return out.getvalue()


def test_create_prints_a_working_secret_once_and_list_never_shows_it(tenants):
    a = tenants["a"]
    output = _run(
        "create",
        "--user",
        a.member.email.upper(),
        "--name",
        "koppeling",
        "--scope",
        "organisations:read",
    )
    secret = output.strip().splitlines()[-1]
    assert secret.startswith("vib_")
    url = f"/api/v1/organisaties/{a.organisation.id}/eenheden"
    assert token_client(secret).get(url).status_code == 200
    token = a.member.api_tokens.get(name="koppeling")
    # Tokens expire, by default after 90 days (issue #15, item 11: it was a year).
    assert token.expires_at is not None
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - timedelta(days=90)) < timedelta(minutes=1)
    assert token.scopes == "organisations:read"
    listing = _run("list", "--user", a.member.email)
    assert token.prefix in listing
    assert "koppeling" in listing
    assert secret not in listing
    assert AuditEvent.objects.filter(object_id=str(token.pk), action="create").exists()


def test_every_token_expires_within_a_year(tenants):
    a = tenants["a"]
    for days in ("0", "366"):
        with pytest.raises(CommandError):
            _run(
                "create",
                "--user",
                a.member.email,
                "--name",
                "eeuwig",
                "--scope",
                "incidents:read",
                "--days",
                days,
            )
    assert not a.member.api_tokens.filter(name="eeuwig").exists()


def test_revoke_stops_the_token_at_once(tenants):
    a = tenants["a"]
    prefix = a.token.split("_")[1]
    assert prefix in _run("revoke", prefix)
    url = f"/api/v1/organisaties/{a.organisation.id}/eenheden"
    assert_problem(token_client(a.token).get(url), 401)
    token = a.member.api_tokens.get()
    revoked_at = token.expires_at
    assert revoked_at is not None
    assert AuditEvent.objects.filter(object_id=str(token.pk), reason="revoked").exists()
    # Revoking again (here by the whole secret, as when it leaked) changes nothing.
    _run("revoke", a.token)
    token.refresh_from_db()
    assert token.expires_at == revoked_at
    assert prefix in _run("list", "--user", a.member.email)


@pytest.mark.parametrize(
    "args",
    [
        ("create", "--user", "nobody@example.test", "--name", "x", "--scope", "incidents:read"),
        ("create", "--user", "lid@gm9901.test", "--name", "  "),
        ("create", "--user", "lid@gm9901.test", "--name", "x", "--days", "-1"),
        ("create", "--user", "lid@gm9901.test", "--name", "x"),  # no scope
        ("create", "--user", "lid@gm9901.test", "--name", "x", "--scope", "alles"),
        ("create", "--user", "lid@gm9901.test", "--name", "x", "--scope", "incidents:admin"),
        ("list", "--user", "nobody@example.test"),
        ("revoke", "ffffffff"),
    ],
)
def test_mistakes_are_clear_errors(tenants, args):
    with pytest.raises(CommandError):
        _run(*args)
