"""Every capability a role is granted is documented in docs/authorization.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from vib.accounts.models import RoleCapability

DOC = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"


@pytest.mark.django_db
def test_every_granted_capability_is_documented():
    text = DOC.read_text(encoding="utf-8")
    granted = set(RoleCapability.objects.values_list("capability", flat=True))
    assert granted, "the data migrations grant capabilities"
    missing = sorted(code for code in granted if f"`{code}`" not in text)
    assert missing == [], f"document these capabilities in docs/authorization.md: {missing}"
