"""Receipt codes of the anonymous mailbox (ADR 0020).

A code is 20 characters of Crockford's base32 (100 bits from ``secrets``), shown in five
groups of four. It is never stored. The database holds:

* ``mailbox_index`` — HMAC-SHA256 of the normalised code under a key derived from
  ``SECRET_KEY``: finds the one case without scanning rows, and is useless without the key;
* ``mailbox_hash`` — scrypt (n=2**14, r=8, p=1) with a random salt: verifies the code, slowly.

Lookups also try ``SECRET_KEY_FALLBACKS``, so a secret-key rotation does not lock reporters
out; a code found under an old key is re-indexed under the current one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 20
GROUP = 4
BITS = LENGTH * 5
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
SCRYPT_R, SCRYPT_P = 8, 1


def _cost() -> int:
    """scrypt's N; ``settings.RECEIPT_SCRYPT_N`` lowers it for tests only (like the password
    hasher there). The cost is stored with every hash, so verification never depends on it."""
    return int(getattr(settings, "RECEIPT_SCRYPT_N", 2**14))


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def grouped(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise(typed: str) -> str | None:
    """The code as typed (any case, spaces, dashes, confusable letters) or None if malformed."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def _index(code: str, secret: str) -> str:
    key = hashlib.sha256(f"vib.integrity.mailbox-index|{secret}".encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def index(code: str) -> str:
    return _index(code, settings.SECRET_KEY)


def candidate_indexes(code: str) -> list[str]:
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_index(code, secret) for secret in secrets_]


def slow_hash(code: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    cost = _cost()
    digest = hashlib.scrypt(code.encode(), salt=salt, n=cost, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${cost}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify(code: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        raw_salt = base64.urlsafe_b64decode(salt)
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(
            code.encode(), salt=raw_salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@cache
def _dummy_hash() -> str:
    return slow_hash("0" * LENGTH, salt=b"\x00" * 16)


def dummy_verify(code: str) -> None:
    """Spend the time of one verification, so an unknown code answers as slowly as a known one."""
    verify(code, _dummy_hash())
