"""Security incidents (PIPL Art. 57; 国家网络安全事件报告管理办法): the incident, the people it
affected (a stored set), containment tasks, a timeline, the notifications sent and yearly drills."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    LEAK = "leak", _("泄露")
    TAMPERING = "tampering", _("篡改")
    LOSS = "loss", _("丢失")
    UNAUTHORISED = "unauthorised", _("未授权访问")
    UNAVAILABLE = "unavailable", _("服务不可用")


class IncidentLevel(models.TextChoices):
    ESPECIALLY_MAJOR = "especially_major", _("特别重大")
    MAJOR = "major", _("重大")
    LARGE = "large", _("较大")
    GENERAL = "general", _("一般")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("处置中")
    CONTAINED = "contained", _("已控制")
    CLOSED = "closed", _("已结案")


class NoticeChannel(models.TextChoices):
    SELFSERVICE = "selfservice", _("自助页面公告")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.has_perm("privacy.view_incident"):
            return self.none()
        return self

    def open(self):
        return self.exclude(status=IncidentStatus.CLOSED)


class Incident(models.Model):
    detected_at = models.DateTimeField(_("发现时间"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("事件名称"), max_length=200)
    kind = models.CharField(_("事件类型"), max_length=20, choices=IncidentKind.choices)
    level = models.CharField(_("事件级别"), max_length=20, choices=IncidentLevel.choices)
    description = models.TextField(_("事件经过"))
    cause = models.TextField(_("原因"), blank=True)
    data_categories = models.JSONField(_("涉及的个人信息种类"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    source_anomaly = models.ForeignKey(
        "audit.Anomaly",
        verbose_name=_("来源异常访问"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    affected_count = models.PositiveIntegerField(_("受影响人数"), default=0)
    affected_query = models.JSONField(_("受影响人员的选择条件"), default=dict, blank=True)
    reported_to_regulator_at = models.DateTimeField(_("向监管部门报告时间"), null=True, blank=True)
    regulator_report_note = models.TextField(_("报告情况"), blank=True)
    # Art. 57 notice contents
    notice_data_kinds = models.TextField(_("涉及的个人信息种类"), blank=True)
    notice_cause = models.TextField(_("发生的原因"), blank=True)
    notice_harm = models.TextField(_("可能造成的危害"), blank=True)
    notice_measures = models.TextField(_("已采取的补救措施"), blank=True)
    notice_advice = models.TextField(_("个人可以采取的减轻危害的措施"), blank=True)
    notice_contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    notified_at = models.DateTimeField(_("通知个人时间"), null=True, blank=True)
    root_cause = models.TextField(_("根本原因"), blank=True)
    lessons = models.TextField(_("经验教训"), blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结案人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["detected_at"], name="privacy_incident_detected")]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"SJ{timezone.localtime(self.created_at):%Y}-{self.pk or 0:04d}"

    @property
    def report_deadline(self):
        """When the regulator must have the report (None: this level need not be reported)."""
        hours = settings.INCIDENT_REPORT_HOURS.get(self.level)
        if hours is None:
            return None
        return self.detected_at + datetime.timedelta(hours=hours)

    @property
    def notify_deadline(self):
        return self.detected_at + datetime.timedelta(hours=settings.INCIDENT_NOTIFY_HOURS)

    def report_overdue(self, now=None):
        deadline = self.report_deadline
        if deadline is None:
            return False
        return (self.reported_to_regulator_at or now or timezone.now()) > deadline

    def seconds_left(self, now=None):
        """Seconds until the report deadline (negative once past); None when none applies or reported."""
        deadline = self.report_deadline
        if deadline is None or self.reported_to_regulator_at:
            return None
        return int((deadline - (now or timezone.now())).total_seconds())

    def missing_notice_items(self):
        """Labels of the Art. 57 notice items still empty (the checklist)."""
        return [
            self._meta.get_field(name).verbose_name
            for name in NOTICE_FIELDS
            if not str(getattr(self, name) or "").strip()
        ]


NOTICE_FIELDS = (
    "notice_data_kinds",
    "notice_cause",
    "notice_harm",
    "notice_measures",
    "notice_advice",
    "notice_contact",
)


class IncidentSubject(models.Model):
    """One person affected by an incident (the set is replaced as a whole by `incident_select_people`)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="subjects")
    contact = models.ForeignKey("clients.Contact", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("受影响人员")
        verbose_name_plural = _("受影响人员")
        constraints = [models.UniqueConstraint(fields=["incident", "contact"], name="privacy_incidentsubject_unique")]

    def __str__(self):
        return f"{self.incident_id}/{self.contact_id}"


class ContainmentTask(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("处置措施"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("处置任务")
        verbose_name_plural = _("处置任务")
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.title


class TimelineEntry(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(_("内容"), max_length=500)

    class Meta:
        verbose_name = _("事件时间线")
        verbose_name_plural = _("事件时间线")
        ordering = ["at", "id"]

    def __str__(self):
        return self.text


class IncidentNotification(models.Model):
    """One notice to one person through one channel (Art. 57: each notification recorded)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notifications")
    contact = models.ForeignKey("clients.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("渠道"), max_length=20, choices=NoticeChannel.choices)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发送人"), on_delete=models.PROTECT, related_name="+"
    )
    delivered = models.BooleanField(_("已送达发送渠道"), default=True)

    class Meta:
        verbose_name = _("事件告知记录")
        verbose_name_plural = _("事件告知记录")
        indexes = [models.Index(fields=["contact", "channel"], name="privacy_incnotice_contact")]

    def __str__(self):
        return f"{self.incident_id}/{self.channel}"


class Drill(models.Model):
    """A yearly incident-response drill (PIPL Art. 51(5): 定期组织演练)."""

    held_on = models.DateField(_("演练日期"))
    scenario = models.CharField(_("演练场景"), max_length=200)
    participants = models.TextField(_("参加人员"))
    findings = models.TextField(_("发现的问题与改进"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.scenario}"
