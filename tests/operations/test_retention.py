"""Retention: every module's rules run by one job, each destruction recorded."""

from __future__ import annotations

import types
from datetime import date

import pytest

from vib.operations import discovery
from vib.operations.contracts import Destruction
from vib.operations.models import DestructionRecord, TaskEffect
from vib.operations.services import RetentionError, retention_run
from vib.operations.tasks import retention_run as retention_task

pytestmark = pytest.mark.django_db
TODAY = date(2026, 4, 1)


def _module(apply):
    module = types.ModuleType("fake_retention")
    module.apply_retention = apply  # type: ignore[attr-defined]
    return module


def test_every_module_is_run_and_each_destruction_recorded():
    seen = []

    def apply(*, today):
        seen.append(today)
        # A real module deletes here; what it returns is recorded in the same transaction.
        TaskEffect.objects.create(key="fake: a row that stands for deleted personal data")
        return [
            Destruction("fake.report", 3, "closed reports older than 24 months", "org-1"),
            Destruction("fake.attachment", 0, "attachments of deleted reports"),
        ]

    with discovery.registered("retention", "fake", _module(apply)):
        records = retention_run(today=TODAY)
    assert seen == [TODAY]
    fake = [(r.module, r.object_type, r.count, r.run_date) for r in records if r.module == "fake"]
    assert fake == [("fake", "fake.report", 3, TODAY), ("fake", "fake.attachment", 0, TODAY)]
    # Operations' own bookkeeping retention is a module like any other.
    assert DestructionRecord.objects.filter(module="operations").count() == 2
    record = DestructionRecord.objects.get(object_type="fake.report")
    assert record.rule == "closed reports older than 24 months"
    assert record.organisation_id == "org-1"


def test_a_second_run_on_the_same_day_destroys_and_records_nothing_more():
    calls = []

    def apply(*, today):
        calls.append(today)
        return [Destruction("fake.report", 1, "rule")]

    with discovery.registered("retention", "fake", _module(apply)):
        retention_run(today=TODAY)
        assert retention_run(today=TODAY) == []
        retention_run(today=date(2026, 4, 2))
    assert calls == [TODAY, date(2026, 4, 2)]


def test_a_failing_module_rolls_back_alone_and_the_run_fails_visibly():
    def broken(*, today):
        TaskEffect.objects.create(key="half-done")
        raise RuntimeError("disk full")

    def fine(*, today):
        return [Destruction("fine.thing", 2, "rule")]

    with (
        discovery.registered("retention", "broken", _module(broken)),
        discovery.registered("retention", "fine", _module(fine)),
        pytest.raises(RetentionError, match="broken"),
    ):
        retention_run(today=TODAY)
    assert not TaskEffect.objects.filter(key="half-done").exists()
    assert DestructionRecord.objects.filter(module="fine").count() == 1
    assert not TaskEffect.objects.filter(key=f"retention:broken:{TODAY}").exists()
    # The next day's run (or a retry) tries the broken module again.
    with discovery.registered("retention", "broken", _module(lambda today: [])):
        retention_run(today=TODAY)
    assert TaskEffect.objects.filter(key=f"retention:broken:{TODAY}").exists()


def test_a_module_must_return_destructions():
    with (
        discovery.registered("retention", "odd", _module(lambda today: [{"count": 1}])),
        pytest.raises(RetentionError),
    ):
        retention_run(today=TODAY)
    assert not DestructionRecord.objects.filter(module="odd").exists()


def test_the_daily_task_runs_retention():
    result = retention_task.enqueue(today=TODAY.isoformat())
    assert result.status == "SUCCESSFUL"
    assert result.return_value >= 2
    assert DestructionRecord.objects.filter(run_date=TODAY).exists()
