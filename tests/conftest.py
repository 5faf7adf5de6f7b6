"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL with DATABASE_URL."""

from __future__ import annotations

import os

os.environ.setdefault("VIB_ENV", "test")

import pytest  # noqa: E402


@pytest.fixture
def demo(db):
    """The reproducible demo (small scale): tenants, a user for every role, module data."""
    from vib.core.demo import build_demo

    return build_demo(scale="small")

