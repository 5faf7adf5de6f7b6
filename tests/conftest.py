"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os

os.environ.setdefault("VIB_ENV", "test")

import pytest  # noqa: E402
from django.test import Client  # noqa: E402


@pytest.fixture
def demo(db):
    """The reproducible demo (small scale): tenants, a user for every role, module data."""
    from vib.core.demo import build_demo

    return build_demo(scale="small")



class SecondFactorClient(Client):
    """``force_login`` gives a session whose second factor is confirmed, as after the real
    log-in with a code. The real flow (and its refusal) is tested in tests/accounts."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        from vib.accounts.oidc import SESSION_MFA

        session = self.session
        session[SESSION_MFA] = True
        session.save()


@pytest.fixture
def client():
    return SecondFactorClient()
