"""A complaint (or consultation, suggestion, praise), its attachments and its number counter.

The complainant's identity and the description are personal data, encrypted under the
complaint's own data key (the complaint is its own key owner). Everything a list or a report needs
(kind, category, status, department, dates) is plain.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import EncryptedCharField, EncryptedTextField, PersonalDataModel, PersonalManager, PersonalQuerySet


class Channel(models.TextChoices):
    WEB = "web", _("网上表单")
    SELFSERVICE = "selfservice", _("客户自助页面")
    PHONE = "phone", _("电话")
    EMAIL = "email", _("电子邮件")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("信函")
    HOTLINE_12345 = "12345", _("12345热线转办")


STAFF_CHANNELS = [Channel.PHONE, Channel.EMAIL, Channel.VISIT, Channel.LETTER, Channel.HOTLINE_12345]


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")
    ASSIGNED = "assigned", _("已分派")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("已退单")
    REPLIED = "replied", _("已答复")
    FOLLOWED_UP = "followed_up", _("已回访")
    CLOSED = "closed", _("已办结")
    REDO = "redo", _("重办")


OPEN_STATUSES = [Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED, Status.REDO]


class DailyCounter(models.Model):
    """One row per day; the number of the day's last complaint. Locked with SELECT ... FOR UPDATE."""

    day = models.DateField(_("日期"), primary_key=True)
    last = models.PositiveIntegerField(_("当日最后编号"), default=0)

    class Meta:
        verbose_name = _("投诉编号计数")
        verbose_name_plural = _("投诉编号计数")

    def __str__(self):
        return f"{self.day}: {self.last}"


class ComplaintQuerySet(PersonalQuerySet):
    def visible_to(self, user):
        from ..access import complaint_scope_q

        return self.filter(complaint_scope_q(user))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(resolution_due__lt=today)

    def due_within(self, last_day, today=None):
        today = today or timezone.localdate()
        return self.open().filter(resolution_due__gte=today, resolution_due__lte=last_day)


class Complaint(PersonalDataModel):
    reference = models.CharField(_("编号"), max_length=20, unique=True)
    tracking_secret_hash = models.CharField(_("查询密钥摘要"), max_length=64, editable=False)
    kind = models.ForeignKey("complaints.ComplaintKind", verbose_name=_("类型"), on_delete=models.PROTECT)
    category = models.ForeignKey("complaints.ComplaintCategory", verbose_name=_("分类"), on_delete=models.PROTECT)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # Identity: optional (anonymous complaints), encrypted, shown only to the complaint office.
    complainant_name = EncryptedCharField(_("投诉人姓名"), max_length=100, blank=True)
    complainant_phone = EncryptedCharField(_("联系电话"), max_length=40, blank=True)
    complainant_email = EncryptedCharField(_("电子邮箱"), max_length=254, blank=True)
    description = EncryptedTextField(_("诉求内容"))
    # The contact the self-service page filed it for; never shown on the tracking link. SET_NULL:
    # purging a contact unlinks its complaints (their text is under the complaint's own key and
    # follows the complaints retention rule) instead of blocking the purge.
    contact = models.ForeignKey(
        "clients.Contact",
        verbose_name=_("关联联系人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    enterprise = models.ForeignKey(
        "clients.Enterprise",
        verbose_name=_("关联企业"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    project = models.ForeignKey(
        "clients.Project",
        verbose_name=_("关联项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    subject_department = models.ForeignKey(
        "clients.Department",
        verbose_name=_("被投诉部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_against",
    )
    department = models.ForeignKey(
        "clients.Department",
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now, db_index=True)
    ack_due = models.DateField(_("受理确认期限"))
    resolution_due = models.DateField(_("办结期限"), db_index=True)
    acknowledged_at = models.DateTimeField(_("确认受理时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    redo_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    satisfaction = models.PositiveSmallIntegerField(_("满意度评分"), null=True, blank=True)
    satisfaction_comment = EncryptedTextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # Privacy complaints may become a data-subject request or an incident (models of a later issue).
    linked_subject_request_ref = models.CharField(_("关联个人信息权利请求"), max_length=40, blank=True)
    linked_incident_ref = models.CharField(_("关联安全事件"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonalManager.from_queryset(ComplaintQuerySet)()

    class Meta:
        verbose_name = _("投诉与反馈")
        verbose_name_plural = _("投诉与反馈")
        ordering = ["-received_at"]
        permissions = [
            ("handle_complaint", _("办理投诉")),
            ("manage_complaints", _("投诉统筹管理（分派、退单处理、延期审批、查看全部）")),
            ("reveal_complainant", _("查看投诉人身份")),
            ("approve_extension", _("审批延期申请")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="complaint_satisfaction_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "resolution_due"], name="complaint_status_due_idx"),
            models.Index(fields=["handler", "status"], name="complaint_handler_status_idx"),
            models.Index(fields=["department", "status"], name="complaint_dept_status_idx"),
        ]

    def __str__(self):
        return self.reference

    @staticmethod
    def hash_secret(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    def secret_matches(self, secret):
        """Constant-time comparison of a tracking secret with the stored digest."""
        return hmac.compare_digest(self.hash_secret(secret or ""), self.tracking_secret_hash)

    @property
    def is_anonymous(self):
        return not (self.complainant_name or self.complainant_phone or self.complainant_email)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None):
        return self.is_open and self.resolution_due < (today or timezone.localdate())


ATTACHMENT_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}


def _attachment_path(instance, filename):
    # Never the uploader's file name (it may carry a person's name): a random one. The content is
    # encrypted (privacy.files), so the stored file carries the encrypted-file ending, not its type.
    import uuid

    return f"complaints/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zsf"


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.complaint_id}#{self.pk}"

    @property
    def download_name(self):
        """The name a download gets: the reference and the type checked at upload, never the uploader's."""
        return f"{self.complaint.reference}-{self.pk}.{ATTACHMENT_EXTENSIONS.get(self.content_type, 'bin')}"
