from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def checkpoints(settings, tmp_path: Path) -> Path:
    """Each test of the audit log sees only the checkpoints it writes itself."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.AUDIT_CHECKPOINT_DIR
