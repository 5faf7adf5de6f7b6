"""Read-only admin views for platform admins: scheduler state and destruction records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from vib.operations.models import DestructionRecord, ScheduledJob


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnly):
    list_display = ("name", "task_path", "next_run", "last_run", "runs")


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnly):
    list_display = ("run_date", "module", "object_type", "count", "rule")
    list_filter = ("module", "run_date")
