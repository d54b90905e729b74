"""Internal audits (内部审计): engagements, findings, rectification actions and their reminders."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import PersonalDataModel, PersonalManager


class AuditEngagement(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        FIELDWORK = "fieldwork", _("实施中")
        REPORTING = "reporting", _("报告中")
        CLOSED = "closed", _("已结束")

    title = models.CharField(_("名称"), max_length=200)
    scope = models.TextField(_("审计范围"))
    period_start = models.DateField(_("审计期间起"))
    period_end = models.DateField(_("审计期间止"))
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审计组长"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("审计组成员"), blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    conclusion = models.TextField(_("审计结论"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计项目")
        verbose_name_plural = _("审计项目")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="audit_engagement_period_order"
            )
        ]

    def __str__(self):
        return self.title


class Finding(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")
        CRITICAL = "critical", _("严重")

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RECTIFYING = "rectifying", _("整改中")
        CLOSED = "closed", _("已关闭")

    engagement = models.ForeignKey(
        AuditEngagement,
        verbose_name=_("审计项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    title = models.CharField(_("标题"), max_length=200)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField(_("描述"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计发现")
        verbose_name_plural = _("审计发现")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class FindingLink(models.Model):
    """A record a finding concerns (a project, a contact, an access event, an anomaly…), by id only."""

    finding = models.ForeignKey(Finding, verbose_name=_("审计发现"), on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT)
    object_id = models.CharField(_("对象编号"), max_length=64)

    class Meta:
        verbose_name = _("关联记录")
        verbose_name_plural = _("关联记录")
        constraints = [
            models.UniqueConstraint(fields=["finding", "content_type", "object_id"], name="audit_finding_link_unique")
        ]

    def __str__(self):
        return f"{self.content_type.model}#{self.object_id}"


def evidence_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"audit/evidence/{instance.pk or 'new'}/{timezone.now():%Y%m%d%H%M%S}.{ext}"


class Rectification(PersonalDataModel):
    """One rectification action. Its evidence file is stored encrypted under the row's own data key
    (privacy.files, purpose RECTIFICATION_EVIDENCE): evidence of a privacy fix often shows people."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("待验证")
        VERIFIED = "verified", _("已验证")
        REJECTED = "rejected", _("验证未通过")

    finding = models.ForeignKey(
        Finding, verbose_name=_("审计发现"), on_delete=models.PROTECT, related_name="rectifications"
    )
    action = models.TextField(_("整改措施"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    evidence = models.FileField(_("整改证明材料"), upload_to=evidence_path, blank=True)
    evidence_type = models.CharField(_("证明材料类型"), max_length=8, blank=True, editable=False)
    evidence_note = models.TextField(_("整改情况说明"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    verification_note = models.TextField(_("验证意见"), blank=True)

    OPEN_STATUSES = (Status.OPEN, Status.REJECTED, Status.SUBMITTED)

    objects = PersonalManager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="audit_rect_status_due_idx")]

    def __str__(self):
        return f"{self.finding} · {self.due_date:%Y-%m-%d}"

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status in (self.Status.OPEN, self.Status.REJECTED) and self.due_date < today


class RectificationReminder(models.Model):
    """One reminder per overdue action per day: the periodic job's idempotency record."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("整改催办记录")
        verbose_name_plural = _("整改催办记录")
        constraints = [models.UniqueConstraint(fields=["rectification", "day"], name="audit_reminder_once_a_day")]

    def __str__(self):
        return f"{self.rectification_id}@{self.day}"


class Anomaly(models.Model):
    """One unusual pattern of access, found by the daily job (`audit.anomalies`)."""

    class Kind(models.TextChoices):
        VOLUME = "volume", _("单日查看/导出量过大")
        OFF_HOURS = "off_hours", _("非工作时间访问")
        DENIED = "denied", _("多次越权访问")
        LARGE_EXPORT = "large_export", _("超大批量导出")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("日期"))
    key = models.CharField(_("区分键"), max_length=40, blank=True)
    count = models.PositiveIntegerField(_("数量"))
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    detected_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    finding = models.ForeignKey(
        Finding, verbose_name=_("审计发现"), null=True, blank=True, on_delete=models.SET_NULL, related_name="anomalies"
    )

    class Meta:
        verbose_name = _("异常访问")
        verbose_name_plural = _("异常访问")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "user", "day", "key"], name="audit_anomaly_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.day:%Y-%m-%d}"
