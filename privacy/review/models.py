"""Reviews of the privacy policy, and the register of laws and standards the zone follows.

The policy's next review date is that of its latest `PolicyReview`; each `LawEntry` has its own.
A daily job (`privacy.review.tasks.send_review_reminders`) reminds the privacy officer of reviews
falling due. Rows are written only by `privacy.review.services`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _pick(zh, en):
    return en if (get_language() or "").startswith("en") and en else zh


class PolicyReview(models.Model):
    reviewed_on = models.DateField(_("复核日期"), default=timezone.localdate)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy = models.ForeignKey(
        "privacy.PrivacyPolicy",
        verbose_name=_("复核的政策版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("复核意见"), blank=True)
    next_review_date = models.DateField(_("下次复核日期"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("隐私政策复核")
        verbose_name_plural = _("隐私政策复核")
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"{self.reviewed_on:%Y-%m-%d}"


class LawKind(models.TextChoices):
    LAW = "law", _("法律")
    REGULATION = "regulation", _("行政法规、部门规章")
    STANDARD = "standard", _("国家标准")
    OTHER = "other", _("其他规范性文件")


class LawEntryQuerySet(models.QuerySet):
    def review_due(self, until):
        return self.filter(active=True, next_review_date__lte=until)


class LawEntry(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=LawKind.choices)
    issuer = models.CharField(_("发布机关"), max_length=200, blank=True)
    issuer_en = models.CharField(_("发布机关（英文）"), max_length=300, blank=True)
    effective_date = models.DateField(_("施行日期"))
    changes = models.TextField(_("主要内容或变化"), blank=True)
    changes_en = models.TextField(_("主要内容或变化（英文）"), blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)
    reviewed_on = models.DateField(_("最近复核日期"), null=True, blank=True)
    next_review_date = models.DateField(_("下次复核日期"))
    active = models.BooleanField(_("现行有效"), default=True)

    Kind = LawKind

    objects = LawEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("法律法规与标准")
        verbose_name_plural = _("法律法规与标准")
        ordering = ["-effective_date", "pk"]
        indexes = [models.Index(fields=["next_review_date"], name="law_entry_review_idx")]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return _pick(self.name, self.name_en)

    @property
    def display_issuer(self):
        return _pick(self.issuer, self.issuer_en)

    @property
    def display_changes(self):
        return _pick(self.changes, self.changes_en)

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.active and self.next_review_date < today


def default_next_review(today=None, months=None):
    months = months or settings.POLICY_REVIEW_INTERVAL_MONTHS
    today = today or timezone.localdate()
    return today + datetime.timedelta(days=round(months * 365 / 12))
