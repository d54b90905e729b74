"""Privacy training (PIPL Art. 51(4); seed 一.4 / 四.5) and recognition records (seed 十六).

A course has its audience (role codes), material (an encrypted file or a link) and a validity in
months; a completion records who passed it and when, and is current until `expires_on`. Staff
completions name the user; a partner's staff completions name the partner and the person (the
name encrypted). `privacy.training.gate` is the one check that revealing, exporting clear values
and sharing need a current completion.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import EncryptedCharField, PersonalDataModel, PersonalManager, PersonalQuerySet


def _material_path(instance, filename):
    # Never the uploader's name; the content is encrypted (privacy.files), hence ".zsf".
    return f"privacy/training/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zsf"


class Course(PersonalDataModel):
    """PersonalDataModel only for its subject key, which encrypts the material file (privacy.files)."""

    title = models.CharField(_("课程名称"), max_length=200)
    audience_roles = models.JSONField(_("适用角色"), default=list, blank=True)
    material = models.FileField(_("培训材料"), upload_to=_material_path, max_length=200, blank=True)
    material_type = models.CharField(_("材料类型"), max_length=50, blank=True)
    link = models.URLField(_("课程链接"), blank=True)
    validity_months = models.PositiveSmallIntegerField(_("有效期（月）"), default=12)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class CompletionQuerySet(PersonalQuerySet):
    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(passed=True, expires_on__gte=today, course__is_active=True)

    def staff(self):
        return self.filter(user__isnull=False)


class Completion(PersonalDataModel):
    course = models.ForeignKey(Course, verbose_name=_("课程"), on_delete=models.PROTECT, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_completions",
    )
    partner = models.ForeignKey(
        "privacy.Partner",
        verbose_name=_("合作方"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_completions",
    )
    partner_staff_name = EncryptedCharField(_("合作方人员姓名"), max_length=50, blank=True)
    completed_on = models.DateField(_("完成日期"))
    score = models.PositiveSmallIntegerField(_("成绩"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), default=True)
    expires_on = models.DateField(_("有效期至"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = PersonalManager.from_queryset(CompletionQuerySet)()

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, partner__isnull=True) | Q(user__isnull=True, partner__isnull=False),
                name="privacy_completion_staff_or_partner",
            )
        ]
        indexes = [models.Index(fields=["user", "expires_on"], name="privacy_completion_user_exp")]

    def __str__(self):
        return f"{self.course_id}/{self.completed_on:%Y-%m-%d}"

    @property
    def is_current(self):
        return self.passed and self.expires_on >= timezone.localdate()


class Recognition(models.Model):
    """A commendation for good privacy practice (seed 十六: 激励)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="privacy_recognitions"
    )
    awarded_on = models.DateField(_("表彰日期"))
    title = models.CharField(_("表彰事项"), max_length=200)
    reason = models.TextField(_("事迹"), blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("表彰记录")
        verbose_name_plural = _("表彰记录")
        ordering = ["-awarded_on", "-id"]

    def __str__(self):
        return self.title
