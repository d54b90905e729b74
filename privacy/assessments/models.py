"""Personal-information protection impact assessments (PIPL Art. 55-56, GB/T 39335-2020).

An `ImpactAssessment` is about one subject — a processing activity, a partner and purposes, or a
new system — done because of one or more Art. 55 triggers. It describes the processing, argues its
legality, legitimacy and necessity, holds a register of `Risk`s (likelihood × impact, 1–5 each)
with `Mitigation`s (owner, due date), the residual risk, and the privacy officer's approval. An
approved assessment is due for review on `next_review_date` (a year after approval by default);
once it has ended (closed or replaced) it is kept at least three years (retention category
``impact_assessments``). Rows are written only by `privacy.assessments.services`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    ACTIVITY = "activity", _("个人信息处理活动")
    PARTNER = "partner", _("合作方及用途（委托、提供、共同处理、出境）")
    SYSTEM = "system", _("新系统或新功能")


class Trigger(models.TextChoices):
    # PIPL Art. 55 (1)-(5)
    SENSITIVE = "sensitive", _("处理敏感个人信息")
    AUTOMATED = "automated", _("利用个人信息进行自动化决策")
    ENTRUST = "entrust", _("委托处理个人信息")
    PROVIDE = "provide", _("向其他个人信息处理者提供个人信息")
    DISCLOSE = "disclose", _("公开个人信息")
    CROSS_BORDER = "cross_border", _("向境外提供个人信息")
    OTHER = "other", _("其他对个人权益有重大影响的个人信息处理活动")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SUBMITTED = "submitted", _("待批准")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("退回修改")
    CLOSED = "closed", _("已结束")


class ResidualRisk(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    SEVERE = "severe", _("严重")


def risk_level(score):
    """GB/T 39335 style levels for likelihood × impact (1–25)."""
    if score >= 17:
        return ResidualRisk.SEVERE
    if score >= 10:
        return ResidualRisk.HIGH
    if score >= 5:
        return ResidualRisk.MEDIUM
    return ResidualRisk.LOW


class ImpactAssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """All for whoever may view assessments; otherwise those where `user` owns a mitigation."""
        if user.has_perm("privacy.view_impactassessment"):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(pk__in=Mitigation.objects.filter(owner=user).values("risk__assessment_id"))

    def in_date(self, today=None):
        """Approved, not ended, review not yet overdue."""
        today = today or timezone.localdate()
        return self.filter(status=AssessmentStatus.APPROVED, ended_at__isnull=True, next_review_date__gte=today)

    def for_partner_purpose(self, partner, purpose):
        return self.filter(subject_kind=SubjectKind.PARTNER, partner=partner, purposes=purpose)

    def review_due(self, until):
        return self.filter(status=AssessmentStatus.APPROVED, ended_at__isnull=True, next_review_date__lte=until)


class ImpactAssessment(models.Model):
    title = models.CharField(_("评估名称"), max_length=200)
    subject_kind = models.CharField(_("评估对象"), max_length=20, choices=SubjectKind.choices)
    activity = models.CharField(_("处理活动或系统名称"), max_length=200, blank=True)
    partner = models.ForeignKey(
        "privacy.Partner",
        verbose_name=_("合作方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    purposes = models.ManyToManyField("privacy.Purpose", verbose_name=_("涉及的处理用途"), related_name="+", blank=True)
    triggers = models.JSONField(_("评估情形（第五十五条）"), default=list)
    description = models.TextField(
        _("处理情况描述"), help_text=_("处理目的、方式、个人信息种类、数量、范围、流转环节。")
    )
    legality = models.TextField(_("合法性、正当性"), help_text=_("处理依据及是否符合法律、行政法规。"))
    necessity = models.TextField(_("必要性"), help_text=_("目的与方式是否必要，是否为实现目的的最小范围。"))
    residual_risk = models.CharField(_("剩余风险"), max_length=10, choices=ResidualRisk.choices, blank=True)
    residual_note = models.TextField(_("剩余风险说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approval_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    review_interval_days = models.PositiveSmallIntegerField(_("复核周期（天）"), default=365)
    next_review_date = models.DateField(_("下次复核日期"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编制人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    Status = AssessmentStatus
    Subject = SubjectKind

    objects = ImpactAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息保护影响评估")
        verbose_name_plural = _("个人信息保护影响评估")
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_impactassessment", _("可批准个人信息保护影响评估"))]
        indexes = [
            models.Index(fields=["status", "next_review_date"], name="assessment_review_idx"),
            models.Index(fields=["ended_at"], name="assessment_ended_idx", condition=Q(ended_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self):
        stamp = timezone.localtime(self.created_at) if self.created_at else timezone.localtime()
        return f"PIA-{stamp:%Y}-{self.pk or 0:04d}"

    def trigger_labels(self):
        labels = dict(Trigger.choices)
        return [labels.get(code, code) for code in self.triggers]

    @property
    def is_editable(self):
        return self.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)

    def is_in_date(self, today=None):
        today = today or timezone.localdate()
        return (
            self.status == AssessmentStatus.APPROVED
            and self.ended_at is None
            and self.next_review_date is not None
            and self.next_review_date >= today
        )

    def default_review_date(self, today=None):
        today = today or timezone.localdate()
        return today + datetime.timedelta(days=self.review_interval_days or 365)


class Risk(models.Model):
    assessment = models.ForeignKey(
        ImpactAssessment, verbose_name=_("评估"), on_delete=models.CASCADE, related_name="risks"
    )
    title = models.CharField(_("风险"), max_length=200)
    description = models.TextField(_("风险说明"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("可能性（1–5）"))
    impact = models.PositiveSmallIntegerField(_("影响程度（1–5）"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险")
        verbose_name_plural = _("风险")
        ordering = ["assessment", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scale_1_5",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def score(self):
        return self.likelihood * self.impact

    @property
    def level(self):
        return risk_level(self.score)

    def level_label(self):
        return ResidualRisk(self.level).label


class MitigationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def due_by(self, day):
        return self.open().filter(due_date__lte=day)


class Mitigation(models.Model):
    risk = models.ForeignKey(Risk, verbose_name=_("风险"), on_delete=models.CASCADE, related_name="mitigations")
    action = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.CharField(_("完成说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MitigationQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险控制措施")
        verbose_name_plural = _("风险控制措施")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["due_date"], name="mitigation_due_idx", condition=Q(done_at__isnull=True))]

    def __str__(self):
        return self.action

    @property
    def is_done(self):
        return self.done_at is not None

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.done_at is None and self.due_date < today
