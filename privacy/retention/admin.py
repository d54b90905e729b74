"""Admin console: retention rules (editable by the privacy officer), purge runs (read-only), legal holds (read-only)."""

from django.contrib import admin

from .models import LegalHold, PurgeRun, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "clock_event", "period_days", "action", "active", "updated_at"]
    list_filter = ["category", "action", "active"]
    search_fields = ["code", "name"]
    readonly_fields = ["updated_at", "updated_by"]
    fields = ["code", "name", "category", "clock_event", "period_days", "action", "legal_basis", "active", "order"]

    def save_model(self, request, obj, form, change):
        # clean() (run by the form) enforces the floors; the database check constraint backs it up.
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: run records name rules by code


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PurgeRun)
class PurgeRunAdmin(_ReadOnly):
    list_display = ["id", "dry_run", "status", "trigger", "rule_code", "started_at", "finished_at", "processed"]
    list_filter = ["dry_run", "status", "trigger"]
    readonly_fields = [f.name for f in PurgeRun._meta.fields]


@admin.register(LegalHold)
class LegalHoldAdmin(_ReadOnly):
    list_display = ["id", "kind", "enterprise_id", "contact_id", "project_id", "placed_at", "until", "released_at"]
    list_filter = ["kind"]
    raw_id_fields = ["enterprise", "contact", "project"]
