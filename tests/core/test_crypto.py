from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from vib.core import crypto


@pytest.fixture
def keys(settings):
    def use(*keys: bytes) -> None:
        settings.ENCRYPTION_KEYS = [k.decode() for k in keys]
        crypto._fernet.cache_clear()

    yield use
    crypto._fernet.cache_clear()


def test_round_trip_and_rotation(keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys(old)
    token = crypto.encrypt("vertrouwelijk")
    assert "vertrouwelijk" not in token
    keys(new, old)  # rotation: the new key encrypts, the old one still decrypts
    assert crypto.decrypt(token) == "vertrouwelijk"
    keys(new)
    with pytest.raises(ImproperlyConfigured):
        crypto.decrypt(token)
