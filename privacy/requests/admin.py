"""Admin for data-subject requests: read-only (the encrypted texts, the proof and the key never shown)."""

from django.contrib import admin

from privacy.consent.admin import ReadOnlyAdmin

from .models import SubjectRequest


@admin.register(SubjectRequest)
class SubjectRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "contact_id", "received_at", "due_date"]
    list_filter = ["kind", "status"]
    exclude = ["details", "subject_key", "relative_name", "correction_value", "extension_reason", "outcome", "proof"]
