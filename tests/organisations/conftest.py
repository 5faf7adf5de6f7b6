from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); the site itself defaults to Dutch."""
    with translation.override("en"):
        yield
