"""Production refuses to start without its secrets; development needs none."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GOOD = {
    "VIB_ENV": "production",
    "VIB_SECRET_KEY": "k" * 64,
    "VIB_ALLOWED_HOSTS": "vib.example.nl",
    "VIB_ENCRYPTION_KEYS": "Y2hhbmdlLW1lLXRvLWEtcmVhbC1rZXktMzItYnl0ZXM=",
    "VIB_REDIS_URL": "redis://127.0.0.1:6379/0",
    "VIB_AUDIT_KEYS": "p1:" + "a" * 40,
}


def _load_settings(
    code: str = "import vib.conf.settings", **overrides: str | None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIB_")}
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_starts_with_its_secrets():
    result = _load_settings()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"VIB_SECRET_KEY": None}, "VIB_SECRET_KEY"),
        ({"VIB_SECRET_KEY": "short"}, "VIB_SECRET_KEY"),
        ({"VIB_ALLOWED_HOSTS": None}, "VIB_ALLOWED_HOSTS"),
        ({"VIB_ENCRYPTION_KEYS": None}, "VIB_ENCRYPTION_KEYS"),
        (
            {"VIB_ENCRYPTION_KEYS": "dmliLWRldmVsb3BtZW50LWtleS0zMi1ieXRlcyEhISE="},
            "VIB_ENCRYPTION_KEYS",
        ),
        ({"VIB_REDIS_URL": None}, "VIB_REDIS_URL"),
        ({"VIB_AUDIT_KEYS": None}, "VIB_AUDIT_KEYS"),
        (
            {"VIB_AUDIT_KEYS": "dev:vib-development-audit-key-never-use-in-production"},
            "VIB_AUDIT_KEYS",
        ),
        ({"VIB_DEBUG": "true"}, "VIB_DEBUG"),
    ],
)
def test_production_refuses_to_start_without(overrides, named):
    result = _load_settings(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_a_malformed_boolean_is_named():
    result = _load_settings(VIB_ENV="development", VIB_DEBUG="perhaps")
    assert result.returncode != 0
    assert "VIB_DEBUG must be true or false" in result.stderr


PRODUCTION_COSTS = """
import django
from django.conf import settings
django.setup()
from vib.integrity import receipts
print(settings.PASSWORD_HASHERS[0], receipts._cost())
"""


def test_production_hashes_at_full_cost():
    """The test settings hash passwords with MD5 and receipt codes with scrypt at n=2**4, to
    keep the suite fast; production must keep Django's default hasher and scrypt at n=2**14."""
    result = _load_settings(PRODUCTION_COSTS, DJANGO_SETTINGS_MODULE="vib.conf.settings")
    assert result.returncode == 0, result.stderr
    hasher, cost = result.stdout.split()
    assert hasher == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert int(cost) == 2**14
