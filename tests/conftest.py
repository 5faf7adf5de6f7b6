"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os

os.environ.setdefault("VIB_ENV", "test")

import pytest
from django.db import connections, transaction
from django.test import Client


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker):
    """The demo, built once per test module inside a transaction that is rolled back at the
    end of the module. Each test runs in a savepoint within it, so tests still cannot see
    each other's changes — but they share the cost of building the demo."""
    from vib.core.demo import build_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_demo(scale="small")
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            for connection in connections.all():
                connection.close_if_unusable_or_obsolete()


@pytest.fixture
def demo(_module_demo, db):
    """The reproducible demo (small scale): tenants, a user for every role, module data.

    Model instances in it may be stale after a test changed them: refresh when it matters.
    """
    return _module_demo


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


@pytest.fixture
def admin_client(admin_user):
    client = SecondFactorClient()
    client.force_login(admin_user)
    return client
