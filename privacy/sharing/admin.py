"""Admin console: partners and their evaluations, agreements, and the record of shares (read-only).

Changes that carry rules (vetting, signing, terminating, sharing) go through the staff pages and
`privacy.sharing.services`; here partners' plain fields can be corrected and everything is visible.
"""

from django.contrib import admin

from .models import Agreement, DataShare, Partner, PartnerEvaluation


class EvaluationInline(admin.TabularInline):
    model = PartnerEvaluation
    extra = 0
    can_delete = False
    readonly_fields = ["evaluated_on", "score", "result", "notes", "next_due", "evaluator", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "overseas", "vetting_status", "next_evaluation_due", "is_active"]
    list_filter = ["kind", "overseas", "vetting_status", "is_active"]
    search_fields = ["name", "credit_code", "foreign_registration"]  # never the encrypted contact fields
    readonly_fields = ["vetting_status", "vetted_at", "vetted_by", "created_by", "created_at", "updated_at"]
    inlines = [EvaluationInline]

    def has_delete_permission(self, request, obj=None):
        return False  # agreements, shares and consents name the partner: stop cooperation instead


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "partner", "kind", "valid_from", "valid_until", "signed_at", "return_deletion"]
    list_filter = ["kind", "return_deletion", "cross_border_mechanism"]
    search_fields = ["number", "title", "partner__name"]
    readonly_fields = [
        "partner",
        "signed_file",
        "signed_file_type",
        "signed_at",
        "signed_by",
        "terminated_at",
        "termination_reason",
        "return_deletion",
        "return_deletion_requested_at",
        "return_deletion_received_at",
        "return_deletion_note",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.signed_at:  # a signed agreement is a record: frozen
            return [f.name for f in obj._meta.fields if f.name != "subject_key"] + ["purposes"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is not None and not obj.signed_at and not obj.shares.exists()


@admin.register(DataShare)
class DataShareAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "created_at",
        "partner",
        "purpose",
        "person_count",
        "cross_border",
        "created_by",
        "status",
    ]
    list_filter = ["cross_border", "status", "purpose"]
    search_fields = ["partner__name"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in DataShare._meta.fields if f.name != "subject_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
