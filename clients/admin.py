"""Admin: configuration and read-mostly views of case records. Personal fields are never listed or searched."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Assignment,
    Department,
    Enterprise,
    ImportBatch,
    LossReason,
    Project,
    Role,
    StaffProfile,
    StageChange,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["shown_name", "code", "kind", "parent", "head", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["head"]

    @admin.display(description=_("名称"), ordering="name")
    def shown_name(self, obj):
        return str(obj)  # the English name in English mode (zhaoshang.core.localized)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "supervisor", "title"]
    list_filter = ["department"]
    raw_id_fields = ["user", "supervisor"]
    search_fields = ["user__username"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "data_scope"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "industry", "owner", "department", "verification_status", "legal_hold"]
    list_filter = ["industry", "verification_status", "legal_hold", "department"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["owner", "reported_by", "verified_by", "import_batch"]
    list_select_related = ["owner", "department"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "at", "by", "note"]
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "enterprise", "stage", "owner", "department", "planned_investment", "legal_hold"]
    list_filter = ["stage", "legal_hold", "department"]
    search_fields = ["title", "enterprise__name"]
    raw_id_fields = ["enterprise", "owner", "import_batch"]
    list_select_related = ["enterprise", "owner", "department"]
    inlines = [StageChangeInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "project", "enterprise", "from_owner", "to_owner", "by"]
    list_filter = ["kind"]
    raw_id_fields = ["project", "enterprise", "from_owner", "to_owner", "by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "user", "status", "created_count", "updated_count", "undone_at"]
    readonly_fields = ["previous_values", "row_errors"]
    exclude = ["spool_token", "spool_key"]  # the transient spool key of a queued import stays out of the admin
    raw_id_fields = ["user", "undone_by"]


@admin.register(LossReason)
class LossReasonAdmin(admin.ModelAdmin):
    """The 终止 reason codes officers choose from; retire one with `active` rather than deleting it."""

    list_display = ["name", "name_en", "code", "active", "order"]
    list_editable = ["active", "order"]
    list_filter = ["active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.projects.exists())
