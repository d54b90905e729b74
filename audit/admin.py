"""Read-only admin for the audit trail: nobody adds, edits or deletes entries, seals or events here."""

from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AccessEvent,
    Anomaly,
    AuditEngagement,
    AuditSeal,
    Finding,
    Rectification,
    RectificationReminder,
    Redaction,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete — not even for superusers; no bulk delete action."""

    show_full_result_count = False  # no COUNT(*) over millions of rows

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "timestamp", "actor", "content_type", "object_pk", "action", "cid"]
    list_filter = ["action"]
    list_select_related = ["actor", "content_type"]
    # no search_fields: a LIKE over the change text scans the whole table
    readonly_fields = [f.name for f in LogEntry._meta.fields]


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "user", "action", "content_type", "object_id", "row_count", "redacted"]
    list_filter = ["action", "redacted"]
    list_select_related = ["user", "content_type"]
    readonly_fields = [f.name for f in AccessEvent._meta.fields]


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    list_display = ["id", "chain", "from_id", "to_id", "count", "algorithm", "short_digest", "sealed_at", "pruned_at"]
    list_filter = ["chain", "algorithm"]
    exclude = ["entries"]
    readonly_fields = [f.name for f in AuditSeal._meta.fields if f.name != "entries"]

    @admin.display(description=_("封存摘要"))
    def short_digest(self, obj):
        return f"{obj.digest[:16]}…"


@admin.register(Redaction)
class RedactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "chain", "entry_id", "reason", "reference", "actor", "at"]
    list_filter = ["chain", "reason"]
    readonly_fields = [f.name for f in Redaction._meta.fields]


@admin.register(Anomaly)
class AnomalyAdmin(ReadOnlyAdmin):
    list_display = ["id", "day", "kind", "user", "count", "finding"]
    list_filter = ["kind"]


@admin.register(AuditEngagement)
class AuditEngagementAdmin(ReadOnlyAdmin):
    list_display = ["title", "period_start", "period_end", "lead", "status"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["title", "severity", "status", "engagement", "created_at"]


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["finding", "owner", "due_date", "status"]


@admin.register(RectificationReminder)
class RectificationReminderAdmin(ReadOnlyAdmin):
    list_display = ["rectification", "day", "sent_at"]
