"""External systems that call the REST API (12345 hotline, the provincial platform, the zone's OA).

An `Integration` acts through its own service user — a real Django user with a role group and a
department, created and kept in step by `integrations.services` — so the API sees exactly the
records the portal would show that role (`visible_to`, the `get_<thing>_for_user` gates). It
authenticates with `ApiKey`s, shown once and stored as a SHA-256 digest of a 256-bit secret.
Complaints the hotline files are remembered by the hotline's own id (`HotlineTicket`, the
idempotency key), and each status call-back to the hotline is a `WebhookDelivery` row that the
periodic job retries with backoff until it is delivered.
"""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import EncryptedCharField, PersonalDataModel, PersonalManager


class Scope(models.TextChoices):
    """What an integration may call. Each API view names the scope it needs."""

    ENTERPRISES_READ = "enterprises:read", _("企业：查询、搜索、详情")
    ENTERPRISES_WRITE = "enterprises:write", _("企业：报备新企业（含查重）")
    PROJECTS_READ = "projects:read", _("项目：查询、详情")
    PROJECTS_WRITE = "projects:write", _("项目：变更阶段")
    FOLLOWUPS_READ = "followups:read", _("跟进记录：查询")
    FOLLOWUPS_WRITE = "followups:write", _("跟进记录：新建")
    CONSENT_READ = "consent:read", _("联系人同意状态：查询")
    CONTACTS_REVEAL = "contacts:reveal", _("联系人明文：查看（须说明用途，计入每日上限）")
    COMPLAINTS_INTAKE = "complaints:intake", _("投诉：12345 热线转办、办理状态与答复")
    COUNTS_READ = "counts:read", _("统计数字：查询")


class Integration(PersonalDataModel):
    """One external system. Its webhook secret is encrypted under its own data key (privacy.crypto)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(
        _("代码"), max_length=40, unique=True, help_text=_("只含字母、数字、连字符；服务账号名为 api-<代码>。")
    )
    # The other side's contact person: a natural person, so encrypted like any personal field.
    contact = EncryptedCharField(_("对接联系人及联系方式"), max_length=200, blank=True)
    description = models.TextField(_("用途说明"), blank=True)
    scopes = models.JSONField(_("允许调用的接口"), default=list, blank=True)
    role = models.ForeignKey(
        "clients.Role",
        verbose_name=_("服务账号角色"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("决定数据范围与权限，与门户中该角色看到的一致。"),
    )
    department = models.ForeignKey(
        "clients.Department",
        verbose_name=_("服务账号所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务账号"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="integration",
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("每分钟调用上限（每个密钥）"), default=120, help_text=_("超过后返回 429，下一分钟恢复。")
    )
    webhook_url = models.URLField(
        _("状态回调地址"), max_length=500, blank=True, help_text=_("投诉答复或办结时向该地址推送签名通知。")
    )
    webhook_secret = EncryptedCharField(_("回调签名密钥"), max_length=100, blank=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonalManager()

    class Meta:
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def allows(self, scope):
        return scope in (self.scopes or [])


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiKey(models.Model):
    """An API key: `zsk_<prefix>_<secret>`. Only the prefix (to find the row) and a digest are stored."""

    integration = models.ForeignKey(
        Integration, verbose_name=_("接入系统"), on_delete=models.CASCADE, related_name="keys"
    )
    label = models.CharField(_("说明"), max_length=100, blank=True)
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("轮换后的新密钥"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"zsk_{self.prefix}_…"

    @staticmethod
    def digest(key):
        return hashlib.sha256(key.encode()).hexdigest()

    def matches(self, key):
        """Constant-time comparison of a presented key with the stored digest."""
        return hmac.compare_digest(self.digest(key), self.secret_hash)

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state_label(self):
        if self.revoked_at:
            return _("已吊销")
        if self.expires_at <= timezone.now():
            return _("已过期")
        return _("有效")


class HotlineTicket(models.Model):
    """A complaint filed through the API, under the filing system's own ticket id (idempotency key)."""

    integration = models.ForeignKey(
        Integration, verbose_name=_("接入系统"), on_delete=models.PROTECT, related_name="tickets"
    )
    hotline_id = models.CharField(_("热线工单号"), max_length=64)
    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="hotline_ticket"
    )
    created_at = models.DateTimeField(_("转办时间"), default=timezone.now)

    class Meta:
        verbose_name = _("热线工单")
        verbose_name_plural = _("热线工单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "hotline_id"], name="hotline_ticket_unique"),
        ]

    def __str__(self):
        return self.hotline_id


class WebhookDelivery(models.Model):
    """One signed call-back to an integration, retried with backoff until delivered or given up.

    The body holds ids, a reference number and a status only — never a personal value — so the
    row can be kept and re-sent byte for byte (the signature covers exactly these bytes).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("发送失败（已停止重试）")

    uuid = models.UUIDField(_("推送编号"), default=uuid.uuid4, unique=True, editable=False)
    integration = models.ForeignKey(
        Integration, verbose_name=_("接入系统"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("事件"), max_length=40)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("推送内容"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回调推送")
        verbose_name_plural = _("回调推送")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.integration_id} ({self.get_status_display()})"
