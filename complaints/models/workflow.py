"""What happens to a complaint: timeline entries, extension requests and sent reminders."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import EncryptedTextField, PersonalManager

from .complaint import Complaint, Status


class ComplaintEvent(models.Model):
    """One step of the timeline. `public` entries (replies, status) show on the tracking link."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        ASSIGN = "assign", _("分派")
        START = "start", _("开始办理")
        RETURN = "return", _("退单")
        NOTE = "note", _("内部备注")
        REPLY = "reply", _("答复")
        FOLLOW_UP = "follow_up", _("回访")
        RATE = "rate", _("评价")
        CLOSE = "close", _("办结")
        REDO = "redo", _("重办")
        REOPEN = "reopen", _("重新打开")
        EXTENSION_REQUEST = "ext_request", _("延期申请")
        EXTENSION_APPROVE = "ext_approve", _("延期批准")
        EXTENSION_REJECT = "ext_reject", _("延期驳回")
        LINK = "link", _("关联")
        REMIND = "remind", _("催办")
        ESCALATE = "escalate", _("督办")

    complaint = models.ForeignKey(Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices, blank=True)
    public = models.BooleanField(_("投诉人可见"), default=False)
    # Replies and notes are encrypted under the complaint's own data key: shredding the complaint
    # makes its timeline text unreadable too.
    subject_key = models.ForeignKey(
        "privacy.SubjectKey", verbose_name=_("数据密钥"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    message = EncryptedTextField(_("内容"), blank=True)

    objects = PersonalManager()  # loads the complaint's key with the row (no query per message)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_at_idx")]

    def __str__(self):
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    reason = models.TextField(_("延期理由"))
    extra_working_days = models.PositiveSmallIntegerField(_("延长工作日"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    new_due = models.DateField(_("新办结期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=models.Q(status="pending"), name="complaint_one_pending_extension"
            ),
        ]

    def __str__(self):
        return f"{self.complaint_id} +{self.extra_working_days}"


class Reminder(models.Model):
    """A 催办 or 督办 notice sent for one deadline. The unique constraint makes the job idempotent."""

    class Kind(models.TextChoices):
        ACK_REMIND = "ack_remind", _("受理确认催办")
        REMIND = "remind", _("到期催办")
        ESCALATE = "escalate", _("超期督办")

    complaint = models.ForeignKey(Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    deadline = models.DateField(_("针对的期限"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    recipient_count = models.PositiveSmallIntegerField(_("收件人数"), default=0)

    class Meta:
        verbose_name = _("催办督办记录")
        verbose_name_plural = _("催办督办记录")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind", "deadline"], name="complaint_reminder_once"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.kind} {self.deadline}"
