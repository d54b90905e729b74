"""Access events: reads of personal data (detail views, reveals, exports, self-service views).

django-auditlog records writes; this table records reads. Rows hold ids, counts and the purpose,
never a personal value. Written only through `audit.record_access`.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("查看详情")
        REVEAL = "reveal", _("查看明文")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        SELFSERVICE_VIEW = "selfservice_view", _("自助页面访问")
        SUBJECT_EXPORT = "subject_export", _("个人信息副本导出")
        SHARE = "share", _("向第三方提供")
        BULK = "bulk", _("批量操作")
        DENIED = "denied", _("越权访问")
        SIGN_IN = "sign_in", _("登录")
        SIGN_IN_FAILED = "sign_in_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账户锁定")
        TWO_FACTOR = "two_factor", _("双因素设置变更")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No single-column indexes on user, content_type (nor on AccessSubject's event and contact_id):
    # each is the leading column of a composite index below, which serves the same lookups and the
    # foreign-key checks. Every read of personal data writes a row here, and pays for each index.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    action = models.CharField(_("动作"), max_length=30, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("记录数"), null=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    correlation_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    remote_addr = models.GenericIPAddressField(_("客户端IP"), null=True, blank=True)
    redacted = models.BooleanField(_("已脱敏"), default=False)

    class Meta:
        verbose_name = _("访问记录")
        verbose_name_plural = _("访问记录")
        indexes = [
            models.Index(fields=["user", "at"], name="access_user_at_idx"),
            models.Index(fields=["content_type", "object_id"], name="access_object_idx"),
            models.Index(fields=["action", "at"], name="access_action_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class AccessSubject(models.Model):
    """Which data subjects (contacts) an access event touched: one row per subject.

    Lets a contact's self-service page list the exports and reveals that concerned them
    without storing any personal value in the event itself.
    """

    # (event, contact_id) is unique, and (contact_id, event) and (contact_id, action, at) are indexed:
    # no single-column index on either (see AccessEvent).
    event = models.ForeignKey(AccessEvent, on_delete=models.CASCADE, related_name="subjects", db_index=False)
    contact_id = models.BigIntegerField(_("联系人编号"))
    # Copies of the event's action and time, written with the row by audit.record_access, so that
    # "uses of my data" for one person reads (contact_id, action, at) from one index and never
    # walks the person's own page views. Not part of the sealed digest (seals fold contact ids only).
    action = models.CharField(_("动作"), max_length=30, choices=AccessEvent.Action.choices, blank=True, default="")
    at = models.DateTimeField(_("时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("访问涉及的个人")
        verbose_name_plural = _("访问涉及的个人")
        constraints = [models.UniqueConstraint(fields=["event", "contact_id"], name="access_subject_unique")]
        indexes = [models.Index(fields=["contact_id", "action", "at"], name="access_subject_uses_idx")]

    def __str__(self):
        return f"{self.event_id}:{self.contact_id}"
