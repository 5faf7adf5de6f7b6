from django.contrib import admin

from vib.accounts.models import Role, RoleAssignment, RoleCapability, User


class RoleCapabilityInline(admin.TabularInline):
    model = RoleCapability
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    # Names, not codes, on the management screens; the code stays on the role's own form.
    list_display = ["name_nl", "name_en", "organisation_bound"]
    search_fields = ["name_nl", "name_en", "code"]
    inlines = [RoleCapabilityInline]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "user_permissions", "groups"]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "unit", "valid_until"]
    list_filter = ["role"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["organisation", "unit"]
