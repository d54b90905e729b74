from django.contrib import admin

from .models import Complaint, ComplaintCategory, ComplaintKind, ExtensionRequest, Reminder


@admin.register(ComplaintKind)
class ComplaintKindAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "ack_working_days",
        "resolution_working_days",
        "remind_before_working_days",
        "is_active",
        "order",
    ]
    list_editable = ["ack_working_days", "resolution_working_days", "remind_before_working_days", "is_active", "order"]


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_privacy", "is_active", "order"]
    list_editable = ["is_privacy", "is_active", "order"]


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-only overview: no personal field is shown here; work happens in the staff workspace."""

    list_display = ["reference", "kind", "category", "channel", "status", "department", "resolution_due"]
    list_filter = ["status", "kind", "category", "channel"]
    search_fields = ["reference"]  # never the encrypted fields
    fields = [*list_display, "received_at", "ack_due", "acknowledged_at", "replied_at", "closed_at", "satisfaction"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["complaint", "kind", "deadline", "sent_at", "recipient_count"]
    list_filter = ["kind"]
    readonly_fields = ["complaint", "kind", "deadline", "sent_at", "recipient_count"]

    def has_add_permission(self, request):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ["complaint", "extra_working_days", "status", "requested_at", "decided_at", "new_due"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ExtensionRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
