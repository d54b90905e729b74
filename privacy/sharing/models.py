"""Partners, their evaluations and agreements, and every share of personal data with them.

A `Partner` is a third party the zone works with: a partner park, an investment intermediary, an
entrusted processor (service provider) or an enterprise's overseas headquarters. Its contact
person's name, phone and e-mail are personal data of a natural person and are encrypted under the
partner's own key. An `Agreement` with it is entrusted processing (PIPL Art. 21), providing
(Art. 23) or joint processing (Art. 20), with the terms the law requires ticked off, the signed
file stored encrypted, its validity and, at its end, the return-or-deletion confirmation.

A `DataShare` is one provision of personal data to a partner: who, when, which people, which
fields, for which purpose on which legal basis, under which agreement and impact assessment; its
recipient file (xlsx) is stored encrypted under the share's own key and can be downloaded once.
Rows are written only by `privacy.sharing.services`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import EncryptedCharField, PersonalDataModel, PersonalManager, PersonalQuerySet


def _signed_path(instance, filename):
    # Never the uploader's name; the content is encrypted (privacy.files), hence the ".zsf" ending.
    return f"privacy/agreements/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zsf"


def _share_path(instance, filename):
    return f"privacy/shares/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zsf"


class PartnerKind(models.TextChoices):
    PARK = "park", _("合作园区")
    AGENCY = "agency", _("招商中介机构")
    PROCESSOR = "processor", _("受托处理者/服务商")
    OVERSEAS_HQ = "overseas_hq", _("境外总部")


class VettingStatus(models.TextChoices):
    PENDING = "pending", _("待审查")
    APPROVED = "approved", _("审查通过")
    REJECTED = "rejected", _("审查未通过")
    SUSPENDED = "suspended", _("暂停合作")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信")
    POST = "post", _("邮寄")


class PartnerQuerySet(PersonalQuerySet):
    def visible_to(self, user):
        """Partners are the zone's, not a department's: whoever may view partners sees them all."""
        if not user.has_perm("privacy.view_partner"):
            return self.none()
        return self

    def usable(self):
        """Vetted, active partners: the only ones data may go to."""
        return self.filter(is_active=True, vetting_status=VettingStatus.APPROVED)


class Partner(PersonalDataModel):
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=PartnerKind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    foreign_registration = models.CharField(_("境外登记注册号"), max_length=60, blank=True)
    country = models.CharField(_("国家或地区"), max_length=60, default="中国")
    overseas = models.BooleanField(
        _("位于境外"), default=False, help_text=_("接收方位于境外：向其提供即个人信息出境。")
    )
    contact_person = EncryptedCharField(_("联系人"), max_length=50)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=30, blank=True)
    contact_email = EncryptedCharField(_("联系邮箱"), max_length=200, blank=True)
    contact_channel = models.CharField(
        _("首选联系渠道"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    vetting_status = models.CharField(
        _("审查状态"), max_length=20, choices=VettingStatus.choices, default=VettingStatus.PENDING
    )
    vetted_at = models.DateTimeField(_("审查时间"), null=True, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    security_measures = models.TextField(_("安全保护措施"), blank=True)
    evaluation_interval_days = models.PositiveSmallIntegerField(_("评估周期（天）"), default=365)
    next_evaluation_due = models.DateField(_("下次评估日期"), null=True, blank=True)
    is_active = models.BooleanField(_("合作中"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    Kind = PartnerKind
    Vetting = VettingStatus

    objects = PersonalManager.from_queryset(PartnerQuerySet)()

    class Meta:
        verbose_name = _("合作方")
        verbose_name_plural = _("合作方")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["next_evaluation_due"], name="partner_eval_due_idx")]

    def __str__(self):
        return self.name

    @property
    def registration(self):
        return self.foreign_registration if self.overseas else self.credit_code

    @property
    def is_usable(self):
        return self.is_active and self.vetting_status == VettingStatus.APPROVED

    def evaluation_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.next_evaluation_due is not None and self.next_evaluation_due < today


class EvaluationResult(models.TextChoices):
    PASS = "pass", _("合格")
    CONDITIONAL = "conditional", _("基本合格，须整改")
    FAIL = "fail", _("不合格")


class PartnerEvaluation(models.Model):
    """One periodic evaluation of a partner's protection of personal data (GB/T 35273 9.2)."""

    partner = models.ForeignKey(Partner, verbose_name=_("合作方"), on_delete=models.CASCADE, related_name="evaluations")
    evaluated_on = models.DateField(_("评估日期"), default=timezone.localdate)
    score = models.PositiveSmallIntegerField(_("评分（0–100）"))
    result = models.CharField(_("结论"), max_length=20, choices=EvaluationResult.choices)
    notes = models.TextField(_("评估说明"), blank=True)
    next_due = models.DateField(_("下次评估日期"))
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评估人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    Result = EvaluationResult

    class Meta:
        verbose_name = _("合作方评估")
        verbose_name_plural = _("合作方评估")
        ordering = ["-evaluated_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="partner_evaluation_score_0_100")]

    def __str__(self):
        return f"{self.partner_id} {self.evaluated_on:%Y-%m-%d} {self.score}"


class AgreementKind(models.TextChoices):
    ENTRUSTED = "entrusted", _("委托处理（第二十一条）")
    PROVIDING = "providing", _("向他人提供（第二十三条）")
    JOINT = "joint", _("共同处理（第二十条）")


class CrossBorderMechanism(models.TextChoices):
    NONE = "", _("不涉及出境")
    SECURITY_ASSESSMENT = "security_assessment", _("国家网信部门数据出境安全评估")
    STANDARD_CONTRACT = "standard_contract", _("个人信息出境标准合同备案")
    CERTIFICATION = "certification", _("个人信息保护认证")


class ReturnDeletion(models.TextChoices):
    NOT_DUE = "not_due", _("未到期")
    PENDING = "pending", _("待确认")
    RECEIVED = "received", _("已收到确认")


# The terms a contract must contain (PIPL Art. 21, 23; GB/T 35273 9.1, 9.2): field -> label.
TERMS = {
    "term_purpose": _("处理目的"),
    "term_duration": _("处理期限"),
    "term_method": _("处理方式"),
    "term_categories": _("个人信息种类"),
    "term_protection": _("保护措施"),
    "term_rights_duties": _("双方的权利和义务"),
    "term_return_deletion": _("合同终止后返还或者删除个人信息"),
    "term_no_subentrust": _("未经同意不得转委托"),
}
# Which terms each kind of agreement must contain.
REQUIRED_TERMS = {
    AgreementKind.ENTRUSTED: list(TERMS),
    AgreementKind.PROVIDING: [
        "term_purpose",
        "term_duration",
        "term_method",
        "term_categories",
        "term_protection",
        "term_rights_duties",
        "term_return_deletion",
    ],
    AgreementKind.JOINT: ["term_purpose", "term_method", "term_categories", "term_protection", "term_rights_duties"],
}


class AgreementQuerySet(PersonalQuerySet):
    def visible_to(self, user):
        if not user.has_perm("privacy.view_agreement"):
            return self.none()
        return self

    def in_force(self, today=None):
        """Signed, not terminated, and today within its validity."""
        today = today or timezone.localdate()
        return self.filter(
            signed_at__isnull=False, terminated_at__isnull=True, valid_from__lte=today, valid_until__gte=today
        )


class Agreement(PersonalDataModel):
    partner = models.ForeignKey(Partner, verbose_name=_("合作方"), on_delete=models.PROTECT, related_name="agreements")
    kind = models.CharField(_("协议类型"), max_length=20, choices=AgreementKind.choices)
    number = models.CharField(_("协议编号"), max_length=60)
    title = models.CharField(_("协议名称"), max_length=200)
    purposes = models.ManyToManyField(
        "privacy.Purpose", verbose_name=_("约定的处理用途"), related_name="agreements", blank=True
    )
    categories = models.JSONField(_("约定的个人信息种类"), default=list, blank=True)
    processing_method = models.CharField(_("处理方式"), max_length=200, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("到期日期"))
    term_purpose = models.BooleanField(TERMS["term_purpose"], default=False)
    term_duration = models.BooleanField(TERMS["term_duration"], default=False)
    term_method = models.BooleanField(TERMS["term_method"], default=False)
    term_categories = models.BooleanField(TERMS["term_categories"], default=False)
    term_protection = models.BooleanField(TERMS["term_protection"], default=False)
    term_rights_duties = models.BooleanField(TERMS["term_rights_duties"], default=False)
    term_return_deletion = models.BooleanField(TERMS["term_return_deletion"], default=False)
    term_no_subentrust = models.BooleanField(TERMS["term_no_subentrust"], default=False)
    cross_border_mechanism = models.CharField(
        _("出境路径"), max_length=30, choices=CrossBorderMechanism.choices, blank=True, default=""
    )
    cross_border_reference = models.CharField(
        _("出境备案或评估编号"),
        max_length=100,
        blank=True,
        help_text=_("安全评估通过文号、标准合同备案号或认证证书编号。"),
    )
    signed_file = models.FileField(_("签署文本"), upload_to=_signed_path, max_length=200, blank=True)
    signed_file_type = models.CharField(_("文件类型"), max_length=50, blank=True)
    signed_at = models.DateTimeField(_("签署登记时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签署登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    terminated_at = models.DateTimeField(_("提前终止时间"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    return_deletion = models.CharField(
        _("返还或删除确认"), max_length=20, choices=ReturnDeletion.choices, default=ReturnDeletion.NOT_DUE
    )
    return_deletion_requested_at = models.DateTimeField(_("要求返还或删除时间"), null=True, blank=True)
    return_deletion_received_at = models.DateTimeField(_("收到确认时间"), null=True, blank=True)
    return_deletion_note = models.CharField(_("确认说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    Kind = AgreementKind
    Mechanism = CrossBorderMechanism
    ReturnStatus = ReturnDeletion

    objects = PersonalManager.from_queryset(AgreementQuerySet)()

    class Meta:
        verbose_name = _("合作协议")
        verbose_name_plural = _("合作协议")
        ordering = ["-valid_until", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="agreement_valid_dates")
        ]
        indexes = [models.Index(fields=["valid_until"], name="agreement_valid_until_idx")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def category_labels(self):
        from privacy.models import DataCategory

        labels = dict(DataCategory.choices)
        return [labels.get(code, code) for code in self.categories]

    def missing_terms(self):
        """Labels of the terms this kind of agreement must contain and this one does not tick."""
        return [TERMS[name] for name in REQUIRED_TERMS.get(self.kind, ()) if not getattr(self, name)]

    @property
    def is_cross_border(self):
        return bool(self.partner.overseas)

    def status(self, today=None):
        """draft / active / expired / terminated / pending (signed, not yet in force)."""
        today = today or timezone.localdate()
        if self.terminated_at:
            return "terminated"
        if not self.signed_at:
            return "draft"
        if self.valid_from > today:
            return "pending"
        if self.valid_until < today:
            return "expired"
        return "active"

    STATUS_LABELS = {
        "draft": _("未签署"),
        "pending": _("未到生效日"),
        "active": _("有效"),
        "expired": _("已到期"),
        "terminated": _("已终止"),
    }

    def status_label(self, today=None):
        return self.STATUS_LABELS[self.status(today)]

    def is_in_force(self, today=None):
        return self.status(today) == "active"

    def has_ended(self, today=None):
        return self.status(today) in ("expired", "terminated")

    def days_left(self, today=None):
        today = today or timezone.localdate()
        return (self.valid_until - today).days


class ShareStatus(models.TextChoices):
    READY = "ready", _("待下载")
    DOWNLOADED = "downloaded", _("已下载")
    EXPIRED = "expired", _("文件已过期删除")


class DataShareQuerySet(PersonalQuerySet):
    def visible_to(self, user):
        """The sharer sees their own shares; the privacy officer, auditors and admins see all."""
        from clients.roles import has_role

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if has_role(user, "privacy_officer", "auditor", "admin"):
            return self
        if user.has_perm("privacy.add_datashare"):
            return self.filter(created_by=user)
        return self.none()


class DataShare(PersonalDataModel):
    """One provision of personal data to a partner (PIPL Art. 23/39 record of provision)."""

    partner = models.ForeignKey(Partner, verbose_name=_("接收方"), on_delete=models.PROTECT, related_name="shares")
    agreement = models.ForeignKey(Agreement, verbose_name=_("协议"), on_delete=models.PROTECT, related_name="shares")
    # SET_NULL: an assessment is deleted three years after it ends (retention); the share keeps its number.
    assessment = models.ForeignKey(
        "privacy.ImpactAssessment",
        verbose_name=_("影响评估"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="shares",
    )
    assessment_reference = models.CharField(_("影响评估编号"), max_length=20, blank=True)
    purpose = models.ForeignKey("privacy.Purpose", verbose_name=_("用途"), on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField(_("处理依据"), max_length=20)
    fields = models.JSONField(_("提供的字段"), default=list)
    cross_border = models.BooleanField(_("向境外提供"), default=False)
    person_count = models.PositiveIntegerField(_("提供人数"), default=0)
    excluded_no_consent = models.PositiveIntegerField(_("因未单独同意排除"), default=0)
    excluded_restricted = models.PositiveIntegerField(_("因限制处理排除"), default=0)
    selection = models.JSONField(
        _("选择方式"), default=dict, blank=True, help_text=_("筛选条件或选择方式，不含个人信息。")
    )
    status = models.CharField(_("文件状态"), max_length=20, choices=ShareStatus.choices, default=ShareStatus.READY)
    file = models.FileField(_("接收方文件"), upload_to=_share_path, max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    downloaded_at = models.DateTimeField(_("下载时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提供人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("提供时间"), default=timezone.now)

    Status = ShareStatus

    objects = PersonalManager.from_queryset(DataShareQuerySet)()

    class Meta:
        verbose_name = _("个人信息提供记录")
        verbose_name_plural = _("个人信息提供记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="datashare_by_at_idx")]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        stamp = timezone.localtime(self.created_at) if self.created_at else timezone.localtime()
        return f"GX-{stamp:%Y}-{self.pk or 0:06d}"


class ShareSubject(models.Model):
    """The people one share provided (contact ids: the record outlives an erased contact's row)."""

    share = models.ForeignKey(DataShare, on_delete=models.CASCADE, related_name="subjects", db_index=False)
    contact_id = models.BigIntegerField(_("联系人编号"))

    class Meta:
        verbose_name = _("提供涉及的个人")
        verbose_name_plural = _("提供涉及的个人")
        constraints = [models.UniqueConstraint(fields=["share", "contact_id"], name="share_subject_unique")]
        indexes = [models.Index(fields=["contact_id"], name="share_subject_contact_idx")]

    def __str__(self):
        return f"{self.share_id}:{self.contact_id}"
