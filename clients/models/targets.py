"""考核 targets: what an officer or a department is expected to achieve in a year or a quarter."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetQuerySet(models.QuerySet):
    def for_period(self, year, quarter=None):
        return self.filter(year=year, quarter=quarter)


class Target(models.Model):
    """One row per (period, subject): the subject is either an officer or a department, never both.

    A yearly target has no quarter; a quarterly one has quarter 1–4. The four figures are the
    investment office's usual 考核 measures; a blank figure means "no target for this measure".
    """

    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(
        _("季度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("招商人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
    )
    department = models.ForeignKey(
        "clients.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="targets",
    )
    signed_projects = models.PositiveIntegerField(_("签约项目数"), null=True, blank=True)
    signed_investment = models.DecimalField(
        _("签约投资额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funds_arrived = models.DecimalField(_("到位资金（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    landed_projects = models.PositiveIntegerField(_("落地项目数"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设定人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核目标")
        verbose_name_plural = _("考核目标")
        ordering = ["-year", "quarter", "department", "officer"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(officer__isnull=True, department__isnull=False)
                | models.Q(officer__isnull=False, department__isnull=True),
                name="target_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4),
                name="target_quarter_range",
            ),
            models.UniqueConstraint(
                fields=["year", "quarter", "officer", "department"],
                name="target_unique_subject_period",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter"], name="target_period_idx")]
        permissions = [("export_target", _("可导出考核目标"))]

    def __str__(self):
        period = f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)
        return f"{period} {self.officer or self.department}"
