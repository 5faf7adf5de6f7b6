"""The scheduler: jobs declared by modules, enqueued once per due time."""

from __future__ import annotations

import types
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.tasks import task

from vib.operations import discovery
from vib.operations.contracts import Job
from vib.operations.models import ScheduledJob
from vib.operations.scheduler import advance, collect_jobs, next_daily, scheduler_pass

CALLS: list[str] = []


@task
def record_call(tag: str = "") -> str:
    CALLS.append(tag)
    return tag


TASK = f"{__name__}.record_call"


@pytest.fixture
def fake_schedule():
    CALLS.clear()
    module = types.ModuleType("fake_schedule")
    module.JOBS = [  # type: ignore[attr-defined]
        Job(name="fake.often", task=TASK, every=timedelta(minutes=10), kwargs={"tag": "often"}),
        Job(name="fake.nightly", task=TASK, daily_at=time(2, 0), kwargs={"tag": "nightly"}),
    ]
    with discovery.registered("schedule", "fake", module):
        yield module


def test_modules_declare_jobs_and_operations_declares_its_own():
    jobs = collect_jobs()
    assert jobs["operations.retention"].task == "vib.operations.tasks.retention_run"
    assert jobs["operations.tasks_recover"].every == timedelta(minutes=5)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"every": timedelta(hours=1), "daily_at": time(1)}, {"every": timedelta(seconds=5)}],
)
def test_a_job_needs_exactly_one_sensible_schedule(kwargs):
    with pytest.raises(ValueError, match="Job 'x'"):
        Job(name="x", task=TASK, **kwargs)


def test_two_jobs_with_one_name_are_refused():
    module = types.ModuleType("dup")
    module.JOBS = [Job(name="operations.retention", task=TASK, every=timedelta(hours=1))]  # type: ignore[attr-defined]
    with discovery.registered("schedule", "dup", module), pytest.raises(ImproperlyConfigured):
        collect_jobs()


def test_daily_times_are_wall_clock_in_amsterdam_also_across_daylight_saving():
    job = Job(name="n", task=TASK, daily_at=time(3, 30))
    # 25 October 2026 the clocks go back: 03:30 local is 02:30 UTC after, 01:30 UTC before.
    before = next_daily(job, datetime(2026, 10, 24, 12, tzinfo=UTC))
    after = next_daily(job, datetime(2026, 10, 25, 12, tzinfo=UTC))
    assert before == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 2, 30, tzinfo=UTC)


def test_missed_intervals_are_coalesced_into_one_run():
    job = Job(name="n", task=TASK, every=timedelta(minutes=10))
    due = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    now = due + timedelta(minutes=35)  # the scheduler was down for three due times
    assert advance(job, due, now) == datetime(2026, 4, 1, 8, 40, tzinfo=UTC)


def fake_pass(now: datetime) -> list[str]:
    return sorted(name for name in scheduler_pass(now=now) if name.startswith("fake."))


@pytest.mark.django_db
def test_each_due_time_is_enqueued_exactly_once(fake_schedule):
    start = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    assert fake_pass(start) == ["fake.often"]
    # A second scheduler (or a second pass) at the same moment finds nothing due.
    assert fake_pass(start) == []
    assert fake_pass(start + timedelta(minutes=5)) == []
    assert fake_pass(start + timedelta(minutes=10)) == ["fake.often"]
    # The nightly job runs at 02:00 Amsterdam time (00:00 UTC in summer), once.
    night = datetime(2026, 4, 2, 0, 0, 30, tzinfo=UTC)
    assert fake_pass(night) == ["fake.nightly", "fake.often"]
    assert fake_pass(night) == []
    assert CALLS.count("nightly") == 1
    assert CALLS.count("often") == 3
    row = ScheduledJob.objects.get(name="fake.nightly")
    assert row.runs == 1
    assert row.next_run == datetime(2026, 4, 3, 0, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_changed_schedule_takes_effect_at_once(fake_schedule):
    start = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    scheduler_pass(now=start)
    fake_schedule.JOBS = [Job(name="fake.often", task=TASK, every=timedelta(hours=2))]
    # A new spec makes the job due now again (interval jobs start at once).
    assert fake_pass(start + timedelta(minutes=1)) == ["fake.often"]
    assert ScheduledJob.objects.get(name="fake.often").next_run == start + timedelta(
        hours=2, minutes=1
    )


@pytest.mark.django_db
def test_the_command_does_one_pass(fake_schedule, capsys):
    call_command("scheduler", "--once")
    out = capsys.readouterr().out
    assert "enqueued fake.often" in out
    assert "enqueued operations.tasks_recover" in out
    assert CALLS == ["often"]
