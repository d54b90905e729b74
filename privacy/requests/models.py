"""Data-subject requests (PIPL Art. 44-50): what a person asked for, who asked, the clock and the timeline.

A request moves received → awaiting verification → in progress (assigned to a handler) → paused →
completed / partly completed / refused, or closes itself when nobody verifies it or the requester
never answers (`services`). Every step is a `SubjectRequestEvent`. One-time codes that prove
possession of the recorded mobile or e-mail are `VerificationCode` rows (a digest only).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.consent.models import Channel
from privacy.crypto import (
    EncryptedCharField,
    EncryptedTextField,
    PersonalDataModel,
    PersonalManager,
    PersonalQuerySet,
)


class RequestKind(models.TextChoices):
    ACCESS = "access", _("查阅、复制")
    PORTABILITY = "portability", _("转移")
    CORRECTION = "correction", _("更正、补充")
    DELETION = "deletion", _("删除")
    RESTRICTION = "restriction", _("限制、拒绝处理")
    WITHDRAWAL = "withdrawal", _("撤回同意")
    EXPLANATION = "explanation", _("解释说明")


# Kinds whose requests need a one-time code on top of the self-service link (so do relatives').
CODE_KINDS = {RequestKind.DELETION, RequestKind.PORTABILITY}


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("已收到")
    AWAITING_VERIFICATION = "unverified", _("待核验身份")
    IN_PROGRESS = "in_progress", _("处理中")
    PAUSED = "paused", _("等待申请人补充")
    COMPLETED = "completed", _("已完成")
    PARTLY_COMPLETED = "partly", _("部分完成")
    REFUSED = "refused", _("不予办理")
    CLOSED = "closed", _("已关闭")


OPEN_STATUSES = [
    RequestStatus.RECEIVED,
    RequestStatus.AWAITING_VERIFICATION,
    RequestStatus.IN_PROGRESS,
    RequestStatus.PAUSED,
]
# The clock runs for these (a paused request's clock is stopped; an unverified one's may not have started).
CLOCK_STATUSES = [RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS]


class RequestChannel(models.TextChoices):
    SELFSERVICE = Channel.SELFSERVICE.value, _("自助页面")
    WEB = "web", _("公开申请表")
    PHONE = Channel.PHONE.value, _("电话")
    PAPER = Channel.PAPER.value, _("信函")
    ONSITE = Channel.ONSITE.value, _("现场")
    EMAIL = Channel.EMAIL.value, _("邮件")


STAFF_CHANNELS = [RequestChannel.PHONE, RequestChannel.PAPER, RequestChannel.ONSITE, RequestChannel.EMAIL]


class Requester(models.TextChoices):
    SELF = "self", _("本人")
    RELATIVE = "relative", _("已故者的近亲属")


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    SIBLING = "sibling", _("兄弟姐妹")
    GRANDPARENT = "grandparent", _("祖父母、外祖父母")
    GRANDCHILD = "grandchild", _("孙子女、外孙子女")


class CorrectableField(models.TextChoices):
    NAME = "name", _("姓名")
    MOBILE = "mobile", _("手机号")
    EMAIL = "email", _("电子邮箱")
    WECHAT = "wechat", _("微信号")
    POSITION = "position", _("职务")


class RefusalGround(models.TextChoices):
    """Legal grounds for not (fully) acting on a request (PIPL Art. 13, 18, 44, 47, 50)."""

    IDENTITY = "identity", _("无法核实申请人的身份")
    UNFOUNDED = "unfounded", _("请求明显无理或反复提出")
    NO_DATA = "no_data", _("我们未处理申请人的个人信息")
    NATIONAL_SECURITY = "national_security", _("与国家安全、国防安全直接相关")
    PUBLIC_INTEREST = "public_interest", _("与公共安全、公共卫生、重大公共利益直接相关")
    JUSTICE = "justice", _("与刑事侦查、起诉、审判和判决执行等直接相关")
    LAW_REQUIRES = "law_requires", _("法律、行政法规规定应当保密、不需要告知或须继续保存")
    RETENTION = "retention", _("法律、行政法规规定的保存期限未届满，或删除在技术上难以实现")
    OTHERS_RIGHTS = "others_rights", _("将损害他人或其他组织的合法权益")


class SubjectRequestQuerySet(PersonalQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def running(self):
        """Requests whose deadline clock is running (not paused, not waiting for verification)."""
        return self.filter(status__in=CLOCK_STATUSES)

    def overdue(self, today=None):
        return self.running().filter(due_date__lt=today or timezone.localdate())

    def unverified(self):
        return self.filter(status=RequestStatus.AWAITING_VERIFICATION)

    def visible_to(self, user):
        """The privacy officer (and whoever may change requests) sees every request of a contact in
        their scope plus the anonymised ones; a handler only the requests assigned to them."""
        from privacy.shortcuts import visible_contacts

        if not getattr(user, "is_authenticated", False) or not user.has_perm("privacy.view_subjectrequest"):
            return self.none()
        in_scope = models.Q(contact__in=visible_contacts(user).values("pk"))
        if user.has_perm("privacy.change_subjectrequest"):
            return self.filter(in_scope | models.Q(contact__isnull=True))
        return self.filter(in_scope, assigned_to=user)


class SubjectRequest(PersonalDataModel):
    """A data-subject request (PIPL Art. 44-50) and its handling."""

    contact = models.ForeignKey(
        "clients.Contact",
        verbose_name=_("联系人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subject_requests",
    )
    kind = models.CharField(_("请求类型"), max_length=20, choices=RequestKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    channel = models.CharField(
        _("提出渠道"), max_length=20, choices=RequestChannel.choices, default=RequestChannel.SELFSERVICE
    )
    details = EncryptedTextField(_("说明"), blank=True)
    requester = models.CharField(_("申请人"), max_length=10, choices=Requester.choices, default=Requester.SELF)
    relative_name = EncryptedCharField(_("近亲属姓名"), max_length=50, blank=True)
    relationship = models.CharField(_("与已故者关系"), max_length=20, choices=Relationship.choices, blank=True)
    proof = models.FileField(_("关系证明"), upload_to="requests/proof/%Y/%m/", blank=True)
    correction_field = models.CharField(_("更正项目"), max_length=20, choices=CorrectableField.choices, blank=True)
    correction_value = EncryptedCharField(_("更正后的内容"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    verified_at = models.DateTimeField(_("身份核验时间"), null=True, blank=True)
    due_date = models.DateField(_("答复期限"))
    remaining_days = models.PositiveSmallIntegerField(_("暂停时剩余工作日"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    extended_at = models.DateTimeField(_("延期时间"), null=True, blank=True)
    extension_reason = EncryptedTextField(_("延期理由"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subject_requests_assigned",
    )
    refusal_ground = models.CharField(_("不予办理的法定理由"), max_length=30, choices=RefusalGround.choices, blank=True)
    outcome = EncryptedTextField(_("答复内容"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    redacted = models.BooleanField(_("已去除个人信息"), default=False)
    # A request made on the public form: the digest of the form's one-time token (kept in the
    # submitter's session), by which the code page finds it (privacy/requests/public.py).
    public_token_digest = models.CharField(_("公开表单令牌摘要"), max_length=64, blank=True, editable=False)
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
        indexes = [
            models.Index(fields=["status", "due_date"], name="subject_request_due_idx"),
            models.Index(
                fields=["public_token_digest"],
                name="subject_request_public_idx",
                condition=~models.Q(public_token_digest=""),
            ),
        ]
        permissions = [("handle_subjectrequest", _("可承办分派给本人的个人信息权利请求"))]

    def __str__(self):
        return f"#{self.pk} {self.kind}"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def needs_code(self):
        return self.kind in CODE_KINDS or self.requester == Requester.RELATIVE

    def is_overdue(self, today=None):
        return self.status in CLOCK_STATUSES and self.due_date < (today or timezone.localdate())


class SubjectRequestEvent(models.Model):
    """One step of a request's timeline. `public` entries are shown to the requester."""

    class Action(models.TextChoices):
        RECEIVE = "receive", _("收到请求")
        CODE_SENT = "code_sent", _("发送验证码")
        CODE_FAILED = "code_failed", _("验证码错误")
        VERIFY = "verify", _("身份核验通过")
        ASSIGN = "assign", _("分派承办人")
        PAUSE = "pause", _("暂停，等待申请人补充")
        RESUME = "resume", _("申请人已补充，恢复办理")
        EXTEND = "extend", _("延长答复期限")
        NOTE = "note", _("内部备注")
        FULFIL = "fulfil", _("执行")
        FULFIL_FAILED = "fulfil_failed", _("执行未成功")
        COMPLETE = "complete", _("办结")
        REFUSE = "refuse", _("不予办理")
        CLOSE = "close", _("自动关闭")
        REMIND = "remind", _("到期提醒")
        REDACT = "redact", _("保存期满，去除个人信息")

    request = models.ForeignKey(SubjectRequest, verbose_name=_("请求"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("动作"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=RequestStatus.choices, blank=True)
    public = models.BooleanField(_("申请人可见"), default=False)
    # Encrypted under the request's own key: redacting the request makes its timeline text unreadable.
    subject_key = models.ForeignKey(
        "privacy.SubjectKey", verbose_name=_("数据密钥"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    message = EncryptedTextField(_("内容"), blank=True)

    objects = PersonalManager()

    class Meta:
        verbose_name = _("请求办理记录")
        verbose_name_plural = _("请求办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"], name="subject_request_event_idx")]

    def __str__(self):
        return f"{self.request_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class VerificationCode(models.Model):
    """A one-time code sent to the recorded mobile or e-mail: only its keyed digest is kept."""

    request = models.ForeignKey(SubjectRequest, verbose_name=_("请求"), on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(_("摘要"), max_length=64)
    sent_via = models.CharField(_("发送方式"), max_length=10)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.request_id} {self.created_at:%Y-%m-%d %H:%M}"
