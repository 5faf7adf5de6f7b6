"""Retention of operations' own bookkeeping: finished task results and old effect keys."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from vib.operations.contracts import Destruction
from vib.operations.models import TaskEffect

# Finished task results hold arguments and tracebacks: keep them long enough to investigate.
TASK_RESULT_DAYS = 90
# An effect key must outlive every possible re-run of its task (hours); keep it half a year.
TASK_EFFECT_DAYS = 180


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def apply_retention(*, today: date) -> list[Destruction]:
    from django_tasks_db.models import DBTaskResult

    results_before = _start_of(today - timedelta(days=TASK_RESULT_DAYS))
    effects_before = _start_of(today - timedelta(days=TASK_EFFECT_DAYS))
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=results_before).delete()
    # Retention's own keys for the run in progress are young: never caught by this rule.
    effects, _ = TaskEffect.objects.filter(done_at__lt=effects_before).delete()
    return [
        Destruction(
            "django_tasks_db.dbtaskresult",
            results,
            f"finished background task results older than {TASK_RESULT_DAYS} days",
        ),
        Destruction(
            "operations.taskeffect", effects, f"task effect keys older than {TASK_EFFECT_DAYS} days"
        ),
    ]
