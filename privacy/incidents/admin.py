"""Incidents in the admin console: read-only (changes go through the staff pages and services)."""

from django.contrib import admin

from .models import ContainmentTask, Drill, Incident, IncidentNotification


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TaskInline(admin.TabularInline):
    model = ContainmentTask
    extra = 0
    can_delete = False
    readonly_fields = ["title", "owner", "due_date", "done_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(_ReadOnly):
    list_display = ["reference", "title", "level", "kind", "status", "detected_at", "affected_count"]
    list_filter = ["level", "kind", "status"]
    search_fields = ["title"]
    inlines = [TaskInline]
    exclude = ["affected_query"]


@admin.register(IncidentNotification)
class IncidentNotificationAdmin(_ReadOnly):
    list_display = ["incident", "contact_id", "channel", "sent_at", "delivered"]
    list_filter = ["channel", "delivered"]
    raw_id_fields = ["incident", "contact"]


@admin.register(Drill)
class DrillAdmin(_ReadOnly):
    list_display = ["held_on", "scenario"]
