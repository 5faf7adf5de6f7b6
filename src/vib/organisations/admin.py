"""Admin for the registry (read-only: it is maintained by `vib organisations import`) and units."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vib.organisations.models import Organisation, SizeClass, Unit
from vib.organisations.services import unit_create, unit_problems


class UnitInline(admin.TabularInline):
    model = Unit
    fields = ["name", "parent"]
    readonly_fields = ["name", "parent"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """The registry comes from an import file, so here it can be looked at, not edited."""

    list_display = [
        "code",
        "name",
        "tier",
        "province",
        "inhabitants",
        "size_class_display",
        "active",
        "reference_date",
    ]
    list_filter = ["tier", "active"]
    search_fields = ["name", "code"]
    list_select_related = ["province"]
    ordering = ["tier", "name"]
    inlines = [UnitInline]

    @admin.display(description=_("size class"))
    def size_class_display(self, obj: Organisation) -> str:
        return str(SizeClass(obj.size_class).label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["organisation", "name", "parent"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("organisation") and data.get("name"):
            problems = unit_problems(
                organisation=data["organisation"], name=data["name"], parent=data.get("parent")
            )
            for field, messages in problems.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units are added through the service; existing units are shown read-only."""

    list_display = ["name", "organisation", "parent"]
    list_filter = ["organisation__tier"]
    search_fields = ["name", "organisation__name", "organisation__code"]
    list_select_related = ["organisation", "parent"]
    autocomplete_fields = ["organisation", "parent"]
    fields = ["organisation", "name", "parent"]
    form = UnitForm

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        return ["organisation", "name", "parent"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        if change:
            return
        created = unit_create(organisation=obj.organisation, name=obj.name, parent=obj.parent)
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
