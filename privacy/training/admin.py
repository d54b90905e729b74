"""Training in the admin console: courses are configuration (editable; the material is uploaded on
the staff page so that it is encrypted); completions and recognitions are read-only records."""

from django.contrib import admin

from .models import Completion, Course, Recognition


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "validity_months", "is_active"]
    list_filter = ["is_active"]
    fields = ["title", "audience_roles", "link", "validity_months", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Completion)
class CompletionAdmin(_ReadOnly):
    list_display = ["course", "user", "partner", "completed_on", "passed", "expires_on"]
    list_filter = ["passed", "course"]
    exclude = ["partner_staff_name"]


@admin.register(Recognition)
class RecognitionAdmin(_ReadOnly):
    list_display = ["awarded_on", "user", "title"]
