"""Retention: rules per data category, legal holds (restrictions) and the record of each purge.

The engine that applies the rules is `privacy.retention.engine` (what each data category purges:
`privacy.retention.base` and the modules registering categories); the restriction check every use
of personal data goes through is `privacy.retention.restrictions.ensure_not_restricted`.

Floors (no rule can go below them): the audit log is kept at least 180 days, impact-assessment
records at least three years. They are enforced three times — in `RetentionRule.clean()` (admin
and forms), by a database check constraint (any other write path), and again by the purge engine
when it computes a cut-off (a row written before a floor was raised).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.localized import join_list, localized


class RetentionCategory(models.TextChoices):
    TERMINATED_CONTACTS = "terminated_contacts", _("终止项目的联系人")
    FOLLOWUP_NOTES = "followup_notes", _("跟进记录")
    COMPLAINTS = "complaints", _("投诉记录")
    CONSENT_EVIDENCE = "consent_evidence", _("同意凭证")
    SELFSERVICE_TOKENS = "selfservice_tokens", _("自助服务链接")
    IMPORT_FILES = "import_files", _("导入文件记录")
    EXPORT_FILES = "export_files", _("导出文件")
    AUDIT_LOG = "audit_log", _("审计日志")
    IMPACT_ASSESSMENTS = "impact_assessments", _("个人信息保护影响评估记录")
    NOTIFICATIONS = "notifications", _("站内通知")
    WEBHOOK_DELIVERIES = "webhook_deliveries", _("回调推送记录")  # [K] registered by integrations.retention
    SUBJECT_REQUESTS = "subject_requests", _("个人信息权利请求记录")
    INCIDENT_RECORDS = "incident_records", _("个人信息安全事件记录")
    TRAINING_RECORDS = "training_records", _("个人信息保护培训记录")


class ClockEvent(models.TextChoices):
    PROJECT_TERMINATED = "project_terminated", _("项目终止")
    LAST_FOLLOWUP = "last_followup", _("最后一次跟进")
    COMPLAINT_CLOSED = "complaint_closed", _("投诉办结")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("撤回同意")
    CREATED = "created", _("记录创建")
    ASSESSMENT_ENDED = "assessment_ended", _("评估结束")
    INCIDENT_CLOSED = "incident_closed", _("事件结案")
    TRAINING_EXPIRED = "training_expired", _("培训有效期届满")


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("删除")
    ANONYMISE = "anonymise", _("匿名化")


# Days below which no rule may go, per category.
RETENTION_FLOORS = {
    RetentionCategory.AUDIT_LOG: 180,
    RetentionCategory.IMPACT_ASSESSMENTS: 3 * 365,
}

# Which clock each category may run on, and which actions make sense for it.
ALLOWED_CLOCKS = {
    RetentionCategory.TERMINATED_CONTACTS: {ClockEvent.PROJECT_TERMINATED},
    RetentionCategory.FOLLOWUP_NOTES: {ClockEvent.LAST_FOLLOWUP, ClockEvent.CREATED},
    RetentionCategory.COMPLAINTS: {ClockEvent.COMPLAINT_CLOSED},
    RetentionCategory.CONSENT_EVIDENCE: {ClockEvent.CONSENT_WITHDRAWN},
    RetentionCategory.SELFSERVICE_TOKENS: {ClockEvent.CREATED},
    RetentionCategory.IMPORT_FILES: {ClockEvent.CREATED},
    RetentionCategory.EXPORT_FILES: {ClockEvent.CREATED},
    RetentionCategory.AUDIT_LOG: {ClockEvent.CREATED},
    RetentionCategory.IMPACT_ASSESSMENTS: {ClockEvent.ASSESSMENT_ENDED},  # [I] PIPL Art. 56: 3 years after it ends
    RetentionCategory.NOTIFICATIONS: {ClockEvent.CREATED},
    RetentionCategory.WEBHOOK_DELIVERIES: {ClockEvent.CREATED},
    RetentionCategory.SUBJECT_REQUESTS: {ClockEvent.CREATED},  # [H] from receipt
    RetentionCategory.INCIDENT_RECORDS: {ClockEvent.INCIDENT_CLOSED},  # [J]
    RetentionCategory.TRAINING_RECORDS: {ClockEvent.TRAINING_EXPIRED},  # [J]
}
DELETE_ONLY = {
    RetentionCategory.SELFSERVICE_TOKENS,
    RetentionCategory.IMPORT_FILES,
    RetentionCategory.EXPORT_FILES,
    RetentionCategory.AUDIT_LOG,
    RetentionCategory.CONSENT_EVIDENCE,
    RetentionCategory.IMPACT_ASSESSMENTS,
    RetentionCategory.NOTIFICATIONS,
    RetentionCategory.WEBHOOK_DELIVERIES,
    RetentionCategory.INCIDENT_RECORDS,
    RetentionCategory.TRAINING_RECORDS,
}


def floor_days(category):
    """The least number of days `category` must be kept (0: no floor)."""
    return RETENTION_FLOORS.get(category, 0)


def floor_error(category):
    days = floor_days(category)
    return _("%(category)s至少保存 %(days)s 天，保存期限不能低于该下限。") % {
        "category": RetentionCategory(category).label,
        "days": days,
    }


class RetentionRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class RetentionRule(models.Model):
    code = models.SlugField(_("规则代码"), max_length=50, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    category = models.CharField(_("数据类别"), max_length=30, choices=RetentionCategory.choices)
    clock_event = models.CharField(_("起算事件"), max_length=30, choices=ClockEvent.choices)
    period_days = models.PositiveIntegerField(_("保存期限（天）"))
    action = models.CharField(_("到期处理方式"), max_length=20, choices=RetentionAction.choices)
    legal_basis = models.TextField(_("法律依据与说明"))
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RetentionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("保存期限规则")
        verbose_name_plural = _("保存期限规则")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(category=RetentionCategory.AUDIT_LOG) | Q(period_days__gte=RETENTION_FLOORS["audit_log"]),
                name="retention_audit_log_floor",
                violation_error_message=_("审计日志至少保存 180 天。"),
            ),
            models.CheckConstraint(
                condition=~Q(category=RetentionCategory.IMPACT_ASSESSMENTS)
                | Q(period_days__gte=RETENTION_FLOORS["impact_assessments"]),
                name="retention_assessment_floor",
                violation_error_message=_("个人信息保护影响评估记录至少保存三年。"),
            ),
        ]

    def __str__(self):
        return _("%(name)s（%(days)s 天）") % {"name": localized(self), "days": self.period_days}

    def clean(self):
        super().clean()
        errors = {}
        if self.category and self.period_days is not None and self.period_days < floor_days(self.category):
            errors["period_days"] = floor_error(self.category)
        if self.category and self.clock_event and self.clock_event not in ALLOWED_CLOCKS.get(self.category, ()):
            allowed = join_list(ClockEvent(c).label for c in sorted(ALLOWED_CLOCKS.get(self.category, ())))
            errors["clock_event"] = _("该数据类别的起算事件只能是：%(allowed)s。") % {"allowed": allowed}
        if self.category in DELETE_ONLY and self.action == RetentionAction.ANONYMISE:
            errors["action"] = _("该数据类别到期只能删除。")
        if errors:
            raise ValidationError(errors)

    @property
    def effective_days(self):
        """The period actually applied: never below the category's floor."""
        return max(self.period_days, floor_days(self.category))

    def cutoff(self, now=None):
        """Rows whose clock started before this moment are expired."""
        return (now or timezone.now()) - datetime.timedelta(days=self.effective_days)


class LegalHoldQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(released_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=now))


class LegalHold(models.Model):
    """A legal hold or restriction of processing on an enterprise, a contact or a project.

    While it applies the data is never purged and every use except storage is refused
    (PIPL Art. 47: when a retention duty or a hold applies, stop all processing but storage).
    Exactly one of the three targets is set. A hold on an enterprise covers its contacts and
    projects; a hold on a project covers its follow-ups and the contacts of its enterprise.
    """

    class Kind(models.TextChoices):
        LEGAL_HOLD = "legal_hold", _("法律保全")
        RESTRICTION = "restriction", _("限制处理")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.LEGAL_HOLD)
    enterprise = models.ForeignKey(
        "clients.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    contact = models.ForeignKey(
        "clients.Contact",
        verbose_name=_("联系人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    project = models.ForeignKey(
        "clients.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    reason = models.TextField(_("原因"))
    reference = models.CharField(_("依据文号"), max_length=100, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    until = models.DateTimeField(_("截止时间"), null=True, blank=True, help_text=_("留空表示直至解除。"))
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    release_note = models.CharField(_("解除说明"), max_length=300, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("法律保全与限制处理")
        verbose_name_plural = _("法律保全与限制处理")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(enterprise__isnull=False, contact__isnull=True, project__isnull=True)
                    | Q(enterprise__isnull=True, contact__isnull=False, project__isnull=True)
                    | Q(enterprise__isnull=True, contact__isnull=True, project__isnull=False)
                ),
                name="legalhold_exactly_one_target",
            ),
        ]
        indexes = [
            models.Index(fields=["contact"], condition=Q(released_at__isnull=True), name="legalhold_open_contact_idx"),
            models.Index(
                fields=["enterprise"], condition=Q(released_at__isnull=True), name="legalhold_open_enterprise_idx"
            ),
            models.Index(fields=["project"], condition=Q(released_at__isnull=True), name="legalhold_open_project_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def target(self):
        return self.enterprise or self.contact or self.project

    @property
    def target_label(self):
        """The held object by name (a contact, a data subject, by number only)."""
        if self.enterprise_id:
            return _("企业：%(name)s") % {"name": self.enterprise.name}
        if self.contact_id:
            return _("联系人 #%(pk)s") % {"pk": self.contact_id}
        return _("项目：%(title)s") % {"title": self.project.title}

    def target_url(self):
        if self.enterprise_id:
            return reverse("clients:enterprise_detail", args=[self.enterprise_id])
        if self.contact_id:
            return reverse("clients:contact_detail", args=[self.contact_id])
        return reverse("clients:project_detail", args=[self.project_id])

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.released_at is None and (self.until is None or self.until > now)


class PurgeRun(models.Model):
    """One purge (real or dry run): when, what it did per rule, how far it got."""

    class Status(models.TextChoices):
        # The task could not be queued (broker unreachable): saved, waiting for the officer's retry.
        NOT_STARTED = "not_started", _("未开始")
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("执行中")
        SUCCEEDED = "succeeded", _("已完成")
        PARTIAL = "partial", _("部分失败")
        FAILED = "failed", _("失败")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("定时任务")
        MANUAL = "manual", _("手动发起")
        COMMAND = "command", _("命令行")

    dry_run = models.BooleanField(_("试运行"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    trigger = models.CharField(_("发起方式"), max_length=20, choices=Trigger.choices, default=Trigger.SCHEDULE)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule_code = models.CharField(_("限定规则"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True)
    # {rule code: {"category", "action", "candidates", "processed", "held", "batches"}}
    counts = models.JSONField(_("各规则计数"), default=dict, blank=True)
    # [{"rule": code, "batch": n, "error": exception class and message without personal data}]
    errors = models.JSONField(_("错误"), default=list, blank=True)
    total_estimate = models.PositiveIntegerField(_("预计处理数"), default=0)
    processed = models.PositiveIntegerField(_("已处理数"), default=0)
    current_rule = models.CharField(_("当前规则"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("清理记录")
        verbose_name_plural = _("清理记录")
        ordering = ["-created_at", "-id"]
        permissions = [("run_purge", _("可发起到期数据清理"))]
        indexes = [models.Index(fields=["status"], name="purgerun_status_idx")]

    def __str__(self):
        kind = _("试运行") if self.dry_run else _("清理")
        return f"{kind} #{self.pk}"

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.PARTIAL, self.Status.FAILED)

    @property
    def percent(self):
        if self.is_finished:
            return 100
        if not self.total_estimate:
            return 0
        return min(99, int(self.processed * 100 / self.total_estimate))

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class PurgeRunItem(models.Model):
    """A record a dry run would purge: ids only, never a personal value."""

    run = models.ForeignKey(PurgeRun, verbose_name=_("清理记录"), on_delete=models.CASCADE, related_name="items")
    rule_code = models.CharField(_("规则代码"), max_length=50)
    model = models.CharField(_("数据表"), max_length=60)
    object_id = models.BigIntegerField(_("记录编号"))

    class Meta:
        verbose_name = _("试运行预览项")
        verbose_name_plural = _("试运行预览项")
        ordering = ["run", "rule_code", "object_id"]
        indexes = [models.Index(fields=["run", "rule_code", "object_id"], name="purgeitem_run_rule_idx")]

    def __str__(self):
        return f"{self.rule_code}:{self.model}#{self.object_id}"
