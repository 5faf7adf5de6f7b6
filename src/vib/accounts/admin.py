"""The management screens of people and roles (/beheer/), for platform admins.

They show only what a platform admin may change, and every change goes through the services
(and so into the audit chain): people's names, addresses and whether they may log in; grants
of roles, which for a confidential role become a request that a second person approves; a
role's capabilities, where adding a confidential one waits for another platform admin.
Whether someone is a platform admin or superuser is not changed here (docs/authorization.md).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from vib.accounts import services
from vib.accounts.middleware import logged_in_user
from vib.accounts.models import (
    GrantKind,
    GrantStatus,
    Role,
    RoleAssignment,
    RoleCapability,
    RoleGrantRequest,
    User,
)
from vib.accounts.second_factor import factor_reset


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


class RoleCapabilityInline(admin.TabularInline):
    """Capabilities are shown; removing one is allowed (it takes access away), adding one is
    a request (``RoleGrantRequest``)."""

    model = RoleCapability
    extra = 0
    fields = ["capability"]
    readonly_fields = ["capability"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    # Names, not codes, on the management screens; the code stays on the role's own page.
    list_display = ["name_nl", "organisation_bound", "requires_second_factor"]
    search_fields = ["name_nl", "name_en", "code"]
    fields = (
        "code",
        "name_nl",
        "name_en",
        "description",
        "organisation_bound",
        "requires_second_factor",
    )
    readonly_fields = fields
    inlines = [RoleCapabilityInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        pass  # every field is read-only; capabilities are handled in save_formset

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)  # works out which capabilities were ticked for removal
        for capability in formset.deleted_objects:
            services.role_capability_remove(
                actor=logged_in_user(request),
                role=capability.role,
                capability=capability.capability,
                request=request,
            )


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "is_active"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    form = UserForm
    fields = ["email", "full_name", "is_active", "is_staff", "is_superuser", "last_login"]
    readonly_fields = ["is_staff", "is_superuser", "last_login"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the audit chain keeps referring to the person

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.user_update(
                actor=logged_in_user(request),
                user=User.objects.get(pk=obj.pk),
                full_name=data["full_name"],
                email=data["email"],
                is_active=data["is_active"],
                request=request,
            )
            return
        created = services.user_create(email=data["email"], full_name=data["full_name"])
        obj.pk = created.pk
        obj._state.adding = False
        obj._state.db = created._state.db


class GrantForm(forms.ModelForm):
    """Checks a grant the way the service will, so a refusal is a form error, not a 500."""

    actor: User

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "organisation", "unit", "function"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            services.role_grant_check(
                actor=self.actor,
                user=data["user"],
                role=data["role"],
                organisation=data.get("organisation"),
                unit=data.get("unit"),
            )
        except ValidationError as error:
            raise forms.ValidationError(_message(error)) from None
        return data


class _GrantAdmin(admin.ModelAdmin):
    """A screen whose rows are written only through the grant services (ADR 0094): its form
    knows who acts, and nothing is changed or deleted in place."""

    grant_form: Any = None

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, form=self.grant_form, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(_GrantAdmin):
    """Grants go through ``role_grant``; existing ones are only shown, or ended."""

    list_display = ["user", "role", "organisation", "unit", "valid_from", "valid_until"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "role", "organisation", "unit"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["organisation", "unit"]
    actions = ["end_roles"]

    grant_form = GrantForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        result = services.role_grant(
            actor=logged_in_user(request),
            user=data["user"],
            role=data["role"],
            organisation=data.get("organisation"),
            unit=data.get("unit"),
            function=data.get("function", ""),
            request=request,
        )
        obj.pk = result.pk
        obj._state.adding = False
        obj._vib_pending = isinstance(result, RoleGrantRequest)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        if getattr(obj, "_vib_pending", False):
            return None  # no assignment was made; the request is in the audit chain
        return super().log_addition(request, obj, message)

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: Any = None
    ) -> HttpResponse:
        if getattr(obj, "_vib_pending", False):
            messages.warning(
                request,
                _(
                    "This role opens confidential information: the grant waits for the "
                    "approval of the organisation's administrator."
                ),
            )
            return HttpResponseRedirect(reverse("admin:accounts_rolegrantrequest_changelist"))
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=gettext_lazy("End the selected roles (from yesterday)"))
    def end_roles(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset:
            services.role_assignment_end(
                actor=logged_in_user(request),
                assignment=assignment,
                request=request,
            )
        messages.success(request, _("The selected roles have ended."))


class GrantRequestForm(forms.ModelForm):
    actor: User

    class Meta:
        model = RoleGrantRequest
        fields = ["kind", "role", "capability", "user", "organisation", "unit", "function"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("kind") == GrantKind.ADD_CAPABILITY:
            if not data.get("capability"):
                self.add_error("capability", _("Give a capability code."))
        elif data.get("user") is None:
            self.add_error("user", _("Choose the person who is to hold the role."))
        else:
            try:
                services.role_grant_check(
                    actor=self.actor,
                    user=data["user"],
                    role=data["role"],
                    organisation=data.get("organisation"),
                    unit=data.get("unit"),
                )
            except ValidationError as error:
                raise forms.ValidationError(_message(error)) from None
        return data


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(_GrantAdmin):
    """Grants that wait for a second person. A new one is made through the services; a
    platform admin approves here what only another platform admin may approve (roles outside
    organisations, capabilities); organisation admins approve theirs under access management."""

    list_display = [
        "kind",
        "role",
        "capability",
        "user",
        "organisation",
        "status",
        "requested_by",
        "created_at",
        "decided_by",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["role", "user", "organisation", "requested_by", "decided_by"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["organisation", "unit"]
    actions = ["approve", "reject"]

    grant_form = GrantRequestForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        actor: User = request.user  # type: ignore[assignment]
        result: Any
        if data["kind"] == GrantKind.ADD_CAPABILITY:
            result = services.role_capability_add(
                actor=actor, role=data["role"], capability=data["capability"], request=request
            )
        else:
            result = services.role_grant(
                actor=actor,
                user=data["user"],
                role=data["role"],
                organisation=data.get("organisation"),
                unit=data.get("unit"),
                function=data.get("function", ""),
                request=request,
            )
        obj._vib_done = not isinstance(result, RoleGrantRequest)
        obj.pk = result.pk if not obj._vib_done else None
        obj._state.adding = False

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None  # the services write the audit chain; no editable admin log entries

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: Any = None
    ) -> HttpResponse:
        if getattr(obj, "_vib_done", False):
            messages.success(request, _("Granted at once: it opens nothing confidential."))
        else:
            messages.success(request, _("The grant waits for a second person's approval."))
        return HttpResponseRedirect(reverse("admin:accounts_rolegrantrequest_changelist"))

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[RoleGrantRequest], decide: Any
    ) -> None:
        done = 0
        for grant in queryset.filter(status=GrantStatus.PENDING):
            try:
                decide(actor=logged_in_user(request), grant=grant, request=request)
            except ValidationError as error:
                messages.error(request, f"{grant}: {_message(error)}")
            else:
                done += 1
        if done:
            messages.success(request, _("%(count)d decided.") % {"count": done})

    @admin.action(description=gettext_lazy("Approve the selected grants"))
    def approve(self, request: HttpRequest, queryset: QuerySet[RoleGrantRequest]) -> None:
        self._decide(request, queryset, services.role_grant_approve)

    @admin.action(description=gettext_lazy("Reject the selected grants"))
    def reject(self, request: HttpRequest, queryset: QuerySet[RoleGrantRequest]) -> None:
        self._decide(request, queryset, services.role_grant_reject)


# VIB grants rights through roles (data), never through Django's groups: no screen for them.
admin.site.unregister(Group)


# django-otp's device lists name their columns after untranslated field names ("Name",
# "Confirmed"): the same columns, with Dutch headings. A platform admin may see that someone has
# a second factor and remove it (a lost phone: the person sets up a new one at the next log-in),
# but never create or change one for someone else, nor see its secret or backup codes
# (OTP_ADMIN_HIDE_SENSITIVE_DATA; ADR 0145). Removal goes through the audited service.
class DeviceAdminRules:
    @admin.display(description=gettext_lazy("user"), ordering="user")
    def device_user(self, obj: Any) -> Any:
        return obj.user

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def device_name(self, obj: Any) -> str:
        return str(obj.name)

    @admin.display(description=gettext_lazy("created at"), ordering="created_at")
    def device_created(self, obj: Any) -> Any:
        return obj.created_at

    @admin.display(description=gettext_lazy("last used"), ordering="last_used_at")
    def device_used(self, obj: Any) -> Any:
        return obj.last_used_at

    @admin.display(description=gettext_lazy("confirmed"), boolean=True, ordering="confirmed")
    def device_confirmed(self, obj: Any) -> bool:
        return bool(obj.confirmed)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        factor_reset(actor=logged_in_user(request), device=obj, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for device in queryset:
            factor_reset(actor=logged_in_user(request), device=device, request=request)


DEVICE_COLUMNS = ["device_user", "device_name", "device_created", "device_used", "device_confirmed"]


class TOTPDeviceDutchAdmin(DeviceAdminRules, TOTPDeviceAdmin):
    list_display = DEVICE_COLUMNS
    search_help_text = None  # django-otp's is English

    def get_list_display(self, request: Any) -> list[str]:
        # No QR code column: it would show another person's second-factor secret.
        return DEVICE_COLUMNS


class StaticDeviceDutchAdmin(DeviceAdminRules, StaticDeviceAdmin):
    list_display = DEVICE_COLUMNS
    search_help_text = None


for _model, _admin in ((TOTPDevice, TOTPDeviceDutchAdmin), (StaticDevice, StaticDeviceDutchAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
