"""Admin for consent configuration. Purposes and policy drafts are editable; the ledger is read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ConsentEvent, ConsentState, PrivacyPolicy, Purpose, SeparateConsent


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "legal_basis", "requires_separate_consent", "is_active", "order"]
    list_filter = ["legal_basis", "requires_separate_consent", "is_active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []  # code is referenced by the code base

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the ledger refers to purposes


@admin.register(PrivacyPolicy)
class PrivacyPolicyAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_date", "material_change", "published_at"]
    readonly_fields = ["published_at", "published_by"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:  # a published version is a record: frozen
            return [f.name for f in obj._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published

    @admin.action(description=_("发布所选版本"), permissions=["change"])
    def publish(self, request, queryset):
        for policy in queryset.order_by("effective_date"):
            try:
                count = services.policy_publish(policy=policy, user=request.user)
            except services.ConsentError as exc:
                self.message_user(request, f"{policy.version}: {exc.messages[0]}", messages.ERROR)
                continue
            if policy.material_change:
                self.message_user(
                    request,
                    _("已发布 %(v)s（重大变更）：%(n)s 项同意需重新取得，名单见“待重新取得同意”。")
                    % {"v": policy.version, "n": count},
                    messages.WARNING,
                )
            else:
                self.message_user(request, _("已发布 %(v)s。") % {"v": policy.version})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SeparateConsentInline(admin.StackedInline):
    model = SeparateConsent
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "contact_id", "purpose", "action", "channel", "actor", "policy"]
    list_filter = ["action", "channel", "purpose"]
    list_select_related = ["purpose", "actor", "policy"]
    date_hierarchy = "at"
    inlines = [SeparateConsentInline]
    exclude = ["evidence"]  # served only through privacy:evidence (permission-checked)


@admin.register(ConsentState)
class ConsentStateAdmin(ReadOnlyAdmin):
    list_display = ["contact_id", "purpose", "granted", "separate", "needs_renewal", "changed_at"]
    list_filter = ["purpose", "granted", "needs_renewal"]
    list_select_related = ["purpose"]
