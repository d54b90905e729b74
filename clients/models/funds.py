"""到资: funds that actually arrived on a project, tranche by tranche, and the planned dates and
amounts of the 开工 / 到资 / 投产 milestones that the actual ones are compared with."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .project import Milestone


class FundTranche(models.Model):
    project = models.ForeignKey(
        "clients.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="fund_tranches"
    )
    date = models.DateField(_("到账日期"))
    amount = models.DecimalField(
        _("到位金额（万元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    evidence_note = models.CharField(_("凭证说明"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("到位资金")
        verbose_name_plural = _("到位资金")
        ordering = ["project", "date", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="fundtranche_amount_positive")]
        indexes = [models.Index(fields=["date"], name="fundtranche_date_idx")]

    def __str__(self):
        return f"{self.date} {self.amount}"


class MilestonePlan(models.Model):
    """The planned date (and, for 到资, the planned amount) of one milestone kind of a project."""

    project = models.ForeignKey(
        "clients.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestone_plans"
    )
    kind = models.CharField(_("节点"), max_length=20, choices=Milestone.Kind.choices)
    planned_date = models.DateField(_("计划日期"))
    planned_amount = models.DecimalField(_("计划金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设定人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节点计划")
        verbose_name_plural = _("节点计划")
        ordering = ["project", "planned_date"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="milestoneplan_one_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.planned_date}"
