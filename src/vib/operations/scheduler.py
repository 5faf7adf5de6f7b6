"""The scheduler: enqueue every declared periodic job once per due time.

Each job has a ``ScheduledJob`` row. A pass claims a due row (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, an exclusive transaction on SQLite), moves ``next_run`` forward with a
compare-and-set on the old value and enqueues the task *in the same transaction*. With the
database task backend the task row commits together with the new stamp, so a due time is
enqueued exactly once however many schedulers run, and never lost if one dies half-way.

Missed due times (the scheduler was down) are coalesced: one run, then the next due time
after now.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.module_loading import import_string

from vib.operations import discovery
from vib.operations.contracts import Job
from vib.operations.models import ScheduledJob

logger = logging.getLogger("vib.scheduler")


def collect_jobs() -> dict[str, Job]:
    """Every job declared in an installed app's ``schedule.py`` (``JOBS``), by name."""
    jobs: dict[str, Job] = {}
    for label, module in discovery.app_modules("schedule"):
        for job in getattr(module, "JOBS", []):
            if not isinstance(job, Job):
                raise ImproperlyConfigured(f"{label}.schedule.JOBS holds {job!r}, not a Job.")
            if job.name in jobs:
                raise ImproperlyConfigured(f"Two periodic jobs are named {job.name!r}.")
            jobs[job.name] = job
    return jobs


def spec_of(job: Job) -> str:
    """A short fingerprint of when and what a job runs: a changed spec resets its next run."""
    raw = f"{job.task}|{job.every}|{job.daily_at}|{sorted(job.kwargs.items())}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def first_due(job: Job, now: datetime) -> datetime:
    """When a newly declared job first runs: interval jobs at once, daily jobs at their time."""
    if job.every is not None:
        return now
    return next_daily(job, now)


def next_daily(job: Job, after: datetime) -> datetime:
    """The first moment strictly after ``after`` at which the wall clock shows ``daily_at``."""
    assert job.daily_at is not None
    tz = timezone.get_default_timezone()
    day = after.astimezone(tz).date()
    for offset in range(3):
        candidate = datetime.combine(day + timedelta(days=offset), job.daily_at, tzinfo=tz)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def advance(job: Job, due: datetime, now: datetime) -> datetime:
    """The next due time after running the one due at ``due`` (coalescing missed ones)."""
    if job.every is None:
        return next_daily(job, now)
    nxt = due + job.every
    if nxt <= now:
        missed = (now - nxt) // job.every + 1
        nxt += job.every * missed
    return nxt


@contextmanager
def _claim_transaction() -> Iterator[None]:
    """An atomic block that takes SQLite's write lock at BEGIN, so two schedulers never
    deadlock upgrading a read lock (PostgreSQL uses row locks instead)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        connection.ensure_connection()
        previous = getattr(connection, "transaction_mode", None)
        connection.transaction_mode = "EXCLUSIVE"  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                yield
        finally:
            connection.transaction_mode = previous  # type: ignore[attr-defined]
    else:
        with transaction.atomic():
            yield


def sync_jobs(jobs: dict[str, Job], now: datetime) -> None:
    """Create a row for every new job; reset the next run of a job whose spec changed."""
    existing = {row.name: row for row in ScheduledJob.objects.filter(name__in=list(jobs))}
    for name, job in jobs.items():
        row = existing.get(name)
        spec = spec_of(job)
        if row is None:
            try:
                with transaction.atomic():
                    ScheduledJob.objects.create(
                        name=name, task_path=job.task, spec=spec, next_run=first_due(job, now)
                    )
            except IntegrityError:
                pass  # another scheduler created it a moment ago
        elif row.spec != spec:
            ScheduledJob.objects.filter(pk=row.pk, spec=row.spec).update(
                task_path=job.task, spec=spec, next_run=first_due(job, now)
            )


def _run_if_due(job: Job, now: datetime) -> str | None:
    """Claim the job's due time and enqueue its task; the task id, or None if not ours."""
    with _claim_transaction():
        rows = ScheduledJob.objects.filter(name=job.name, next_run__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        row = rows.first()
        if row is None:
            return None
        claimed = ScheduledJob.objects.filter(pk=row.pk, next_run=row.next_run).update(
            next_run=advance(job, row.next_run, now), last_run=now, runs=F("runs") + 1
        )
        if claimed != 1:
            return None
        result = import_string(job.task).enqueue(**job.kwargs)
        ScheduledJob.objects.filter(pk=row.pk).update(last_task_id=str(result.id)[:64])
    logger.info(
        "periodic job enqueued",
        extra={"event": "scheduler.enqueue", "job": job.name, "outcome": "success"},
    )
    return str(result.id)


def scheduler_pass(*, now: datetime | None = None) -> list[str]:
    """One pass: enqueue every job that is due. Returns the names of the jobs enqueued."""
    now = now or timezone.now()
    jobs = collect_jobs()
    sync_jobs(jobs, now)
    due = ScheduledJob.objects.filter(name__in=list(jobs), next_run__lte=now).order_by("next_run")
    enqueued = []
    for name in due.values_list("name", flat=True):
        try:
            if _run_if_due(jobs[name], now) is not None:
                enqueued.append(name)
        except OperationalError as exc:
            # SQLite: another scheduler holds the write lock; it will do this job.
            if "locked" not in str(exc).lower():
                raise
    return enqueued


def seconds_until_next(*, now: datetime | None = None, ceiling: float = 60.0) -> float:
    """How long the scheduler may sleep before the next job is due (at most ``ceiling``)."""
    now = now or timezone.now()
    nxt = ScheduledJob.objects.filter(name__in=list(collect_jobs())).aggregate(m=Min("next_run"))[
        "m"
    ]
    if nxt is None:
        return ceiling
    return max(0.0, min(ceiling, (nxt - now).total_seconds()))
