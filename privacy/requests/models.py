"""Data-subject requests (PIPL Art. 44-50): what a person asked for, and by when the answer is due."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.consent.models import Channel
from privacy.crypto import EncryptedTextField, PersonalDataModel, PersonalManager, PersonalQuerySet


class RequestKind(models.TextChoices):
    ACCESS = "access", _("查阅、复制")
    PORTABILITY = "portability", _("转移")
    CORRECTION = "correction", _("更正、补充")
    DELETION = "deletion", _("删除")
    RESTRICTION = "restriction", _("限制处理")
    WITHDRAWAL = "withdrawal", _("撤回同意")
    EXPLANATION = "explanation", _("解释说明")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    IN_PROGRESS = "in_progress", _("处理中")
    COMPLETED = "completed", _("已完成")
    REJECTED = "rejected", _("不予办理")


class SubjectRequestQuerySet(PersonalQuerySet):
    def open(self):
        return self.filter(status__in=[RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS])


class SubjectRequest(PersonalDataModel):
    """A data-subject request (PIPL Art. 44-50). Recorded now; processing comes in a later issue."""

    contact = models.ForeignKey(
        "clients.Contact", verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="subject_requests"
    )
    kind = models.CharField(_("请求类型"), max_length=20, choices=RequestKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    channel = models.CharField(_("提出渠道"), max_length=20, choices=Channel.choices, default=Channel.SELFSERVICE)
    details = EncryptedTextField(_("说明"), blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    due_date = models.DateField(_("答复期限"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    Kind = RequestKind
    Status = RequestStatus

    objects = PersonalManager.from_queryset(SubjectRequestQuerySet)()

    class Meta:
        verbose_name = _("个人信息权利请求")
        verbose_name_plural = _("个人信息权利请求")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "due_date"], name="subject_request_due_idx")]

    def __str__(self):
        return f"#{self.pk} {self.kind}"
