"""Admin for data-subject requests: read-only (the request text and key never shown)."""

from django.contrib import admin

from privacy.consent.admin import ReadOnlyAdmin

from .models import SubjectRequest


@admin.register(SubjectRequest)
class SubjectRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "contact_id", "received_at", "due_date"]
    list_filter = ["kind", "status"]
    exclude = ["details", "subject_key"]
