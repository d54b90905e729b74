"""Admin console: integrations, their API keys (issued, rotated, revoked here) and call-back deliveries.

A key or a webhook secret is shown once, in the response to the POST that created it, with
caching forbidden; it is never put in a message, a log or the session. Every destructive step
(revoke, rotate, new secret) shows what it will do and asks for a POST first.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services, webhooks
from .models import ApiKey, HotlineTicket, Integration, Scope, WebhookDelivery


class IntegrationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("允许调用的接口"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    webhook_url = forms.URLField(
        label=gettext_lazy("状态回调地址"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("投诉答复或办结时向该地址推送签名通知。"),
    )

    class Meta:
        model = Integration
        fields = [
            "name",
            "code",
            "contact",
            "description",
            "scopes",
            "role",
            "department",
            "rate_limit_per_minute",
            "webhook_url",
            "is_active",
        ]
        widgets = {"contact": forms.TextInput(attrs={"class": "vTextField"})}

    def clean_code(self):
        from django.contrib.auth import get_user_model

        code = self.cleaned_data["code"]
        taken = get_user_model().objects.filter(username=services.service_username(code))
        if self.instance.service_user_id:
            taken = taken.exclude(pk=self.instance.service_user_id)
        if taken.exists():
            raise ValidationError(_("账号名 %(name)s 已被其他用户使用，请换一个代码。") % {"name": taken[0].username})
        return code

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise ValidationError(_("回调地址须以 http:// 或 https:// 开头。"))
        return url

    def clean_rate_limit_per_minute(self):
        value = self.cleaned_data["rate_limit_per_minute"]
        if not 1 <= value <= 100000:
            raise ValidationError(_("每分钟调用上限须在1至100000之间。"))
        return value


class KeyForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("说明"), max_length=100, required=False)
    days = forms.IntegerField(label=gettext_lazy("有效期（天）"), min_value=1)

    def __init__(self, *args, max_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = max_days
        self.fields["days"].validators.append(MaxValueValidator(max_days))


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fk_name = "integration"
    extra = 0
    can_delete = False
    fields = ["shown_prefix", "label", "state", "created_at", "expires_at", "last_used_at", "revoked_at", "manage"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("API 密钥（只保存摘要，明文仅在生成时显示一次）")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("密钥"))
    def shown_prefix(self, key):
        return str(key)

    @admin.display(description=gettext_lazy("状态"))
    def state(self, key):
        return key.state_label

    @admin.display(description=gettext_lazy("操作"))
    def manage(self, key):
        from django.utils.html import format_html

        if not key.is_usable():
            return "—"
        rotate = reverse("admin:integrations_apikey_rotate", args=[key.pk])
        revoke = reverse("admin:integrations_apikey_revoke", args=[key.pk])
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', rotate, _("轮换"), revoke, _("吊销"))


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    form = IntegrationForm
    list_display = ["name", "code", "role", "department", "is_active", "service_user", "webhook_configured"]
    list_filter = ["is_active", "role"]
    search_fields = ["name", "code"]  # never the encrypted contact
    readonly_fields = ["service_user", "created_at", "updated_at"]
    inlines = [ApiKeyInline]
    change_form_template = "integrations/admin/integration_change_form.html"

    @admin.display(description=gettext_lazy("已配置回调"), boolean=True)
    def webhook_configured(self, integration):
        return bool(integration.webhook_url)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: tickets and the audit trail keep pointing at it

    def save_model(self, request, obj, form, change):
        services.integration_save(integration=obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/keys/new/", wrap(self.issue_key_view), name="integrations_integration_issue_key"),
            path("keys/<int:key_pk>/rotate/", wrap(self.rotate_key_view), name="integrations_apikey_rotate"),
            path("keys/<int:key_pk>/revoke/", wrap(self.revoke_key_view), name="integrations_apikey_revoke"),
            path("<int:pk>/webhook-secret/", wrap(self.webhook_secret_view), name="integrations_integration_secret"),
            *super().get_urls(),
        ]

    # --- key and secret pages -------------------------------------------------------------------

    def _require_change(self, request, integration):
        if not self.has_change_permission(request, integration):
            raise PermissionDenied

    def _page(self, request, template, integration, **context):
        context.update(self.admin_site.each_context(request), opts=self.model._meta, integration=integration)
        context.setdefault("title", integration.name)
        response = TemplateResponse(request, f"integrations/admin/{template}", context)
        response["Cache-Control"] = "no-store, private"
        return response

    def _back(self, integration):
        return redirect("admin:integrations_integration_change", integration.pk)

    def issue_key_view(self, request, pk):
        integration = get_object_or_404(Integration, pk=pk)
        self._require_change(request, integration)
        from django.conf import settings

        form = KeyForm(
            request.POST or None, initial={"days": settings.API_KEY_DEFAULT_DAYS}, max_days=settings.API_KEY_MAX_DAYS
        )
        if request.method == "POST" and form.is_valid():
            key, plaintext = services.api_key_issue(
                integration=integration,
                by=request.user,
                days=form.cleaned_data["days"],
                label=form.cleaned_data["label"],
            )
            return self._page(
                request, "key_shown.html", integration, key=key, plaintext=plaintext, title=_("新的 API 密钥")
            )
        return self._page(request, "key_issue.html", integration, form=form, title=_("生成 API 密钥"))

    def rotate_key_view(self, request, key_pk):
        key = get_object_or_404(ApiKey.objects.select_related("integration"), pk=key_pk)
        integration = key.integration
        self._require_change(request, integration)
        from django.conf import settings

        if request.method == "POST":
            try:
                new_key, plaintext = services.api_key_rotate(key=key, by=request.user)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
                return self._back(integration)
            return self._page(
                request,
                "key_shown.html",
                integration,
                key=new_key,
                plaintext=plaintext,
                old_key=key,
                title=_("轮换后的新密钥"),
            )
        return self._page(
            request,
            "key_confirm.html",
            integration,
            key=key,
            action="rotate",
            grace_hours=settings.API_KEY_ROTATION_GRACE_HOURS,
            title=_("轮换 API 密钥"),
        )

    def revoke_key_view(self, request, key_pk):
        key = get_object_or_404(ApiKey.objects.select_related("integration"), pk=key_pk)
        integration = key.integration
        self._require_change(request, integration)
        if request.method == "POST":
            services.api_key_revoke(key=key, by=request.user)
            messages.success(request, _("密钥 %(key)s 已吊销，使用它的调用将被拒绝。") % {"key": key})
            return self._back(integration)
        return self._page(request, "key_confirm.html", integration, key=key, action="revoke", title=_("吊销 API 密钥"))

    def webhook_secret_view(self, request, pk):
        integration = get_object_or_404(Integration, pk=pk)
        self._require_change(request, integration)
        if request.method == "POST":
            secret = services.webhook_secret_rotate(integration=integration)
            return self._page(request, "secret_shown.html", integration, secret=secret, title=_("新的回调签名密钥"))
        return self._page(
            request,
            "secret_confirm.html",
            integration,
            has_secret=bool(integration.webhook_secret),
            title=_("生成回调签名密钥"),
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "integration",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "integration"]
    fields = [*list_display, "uuid", "complaint", "body", "last_attempt_at"]
    readonly_fields = fields
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("立即重新推送所选记录"), permissions=["change"])
    def retry_now(self, request, queryset):
        n = 0
        for delivery in queryset.exclude(status=WebhookDelivery.Status.DELIVERED):
            webhooks.webhook_retry(delivery=delivery)
            n += 1
        messages.success(request, _("已安排 %(n)s 条推送重新发送。") % {"n": n})


@admin.register(HotlineTicket)
class HotlineTicketAdmin(admin.ModelAdmin):
    list_display = ["hotline_id", "integration", "complaint", "created_at"]
    list_filter = ["integration"]
    search_fields = ["hotline_id", "complaint__reference"]
    fields = list_display
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
