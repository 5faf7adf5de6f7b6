"""What a module hands to operations: periodic jobs and destructions.

A module declares

- ``<app>/schedule.py`` — ``JOBS: list[Job]``, its periodic jobs;
- ``<app>/retention.py`` — ``apply_retention(*, today: date) -> list[Destruction]``;
- ``<app>/privacy.py`` — ``export_subject(user) -> dict``, its part of a data-subject export.

See docs/modules.md, "Periodic jobs and retention".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any


@dataclass(frozen=True)
class Job:
    """A periodic job: a Django task enqueued every ``every`` or daily at ``daily_at``.

    ``daily_at`` is wall-clock time in ``settings.TIME_ZONE``. ``task`` is the dotted path of
    a function decorated with ``django.tasks.task``; ``kwargs`` (JSON values) are passed on.
    """

    name: str
    task: str
    every: timedelta | None = None
    daily_at: time | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"Job {self.name!r}: give exactly one of every= or daily_at=.")
        if self.every is not None and self.every < timedelta(minutes=1):
            raise ValueError(f"Job {self.name!r}: the interval must be at least a minute.")
        if not self.name or len(self.name) > 100:
            raise ValueError("A job needs a name of at most 100 characters.")


@dataclass(frozen=True)
class Destruction:
    """What one retention rule destroyed (deleted or anonymised). Counts only, no content."""

    object_type: str
    count: int
    rule: str
    organisation_id: str = ""
