"""Where a benchmark's Django runs: a throw-away SQLite file or a fresh PostgreSQL database."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def psql(server: str, sql: str) -> None:
    """Run one statement on the server's maintenance database (outside a transaction)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def use_test_settings() -> None:
    os.environ.setdefault("VIB_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vib.conf.settings")


def use_sqlite() -> None:
    """Test settings on a new SQLite file, unless DATABASE_URL is already set."""
    use_test_settings()
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="vib-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"


def setup_django_on_sqlite() -> None:
    use_sqlite()
    import django

    django.setup()


@contextmanager
def throwaway_postgres(server: str, prefix: str) -> Iterator[str]:
    """A new database on ``server`` for the block, dropped afterwards; yields its URL."""
    name = f"{prefix}_{os.getpid()}"
    psql(server, f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up; drop the database anyway
            pass
        psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
