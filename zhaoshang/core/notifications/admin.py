"""Admin console: notifications and preferences, read-only (they are written by `notify` only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Notification, NotificationPreference


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "kind", "notification_text", "channel", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # no COUNT(*) over the whole table on each page

    @admin.display(description=_("内容"))
    def notification_text(self, obj):
        return obj.text


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "channel", "updated_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
