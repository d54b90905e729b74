"""Admin console: impact assessments with their risks and mitigations (read-only: the workflow,
approval by the privacy officer included, runs on the staff pages through the services)."""

from django.contrib import admin

from .models import ImpactAssessment, Mitigation, Risk


class RiskInline(admin.TabularInline):
    model = Risk
    extra = 0
    fields = ["title", "likelihood", "impact", "description"]


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept ≥ 3 years after it ends; the retention purge deletes it


class RiskReadOnlyInline(ReadOnlyMixin, RiskInline):
    pass


@admin.register(ImpactAssessment)
class ImpactAssessmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "subject_kind",
        "partner",
        "status",
        "approved_at",
        "next_review_date",
        "ended_at",
    ]
    list_filter = ["status", "subject_kind"]
    search_fields = ["title", "activity", "partner__name"]
    inlines = [RiskReadOnlyInline]


@admin.register(Mitigation)
class MitigationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["action", "risk", "owner", "due_date", "done_at"]
    list_filter = ["done_at"]
    search_fields = ["action", "risk__title", "risk__assessment__title"]
