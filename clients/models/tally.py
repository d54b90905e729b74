"""The cockpit tally: totals per owner, department, stage and month that PostgreSQL's triggers keep
as projects, tranches and stage changes are written (clients/tallies.py). Never written by Python."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CockpitTally(models.Model):
    class Kind(models.TextChoices):
        PROJECTS = "projects", _("项目")
        FUNDS = "funds", _("到位资金")
        LANDED = "landed", _("落地")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    stage = models.CharField(_("阶段"), max_length=20, blank=True)  # "" for funds and landings
    # No database constraint: the triggers move a project's totals before Django sets or deletes the
    # owner or department they referred to, and a derived total must never block that.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    department = models.ForeignKey(
        "clients.Department",
        verbose_name=_("部门"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    month = models.DateField(_("月份"), null=True)  # signing, tranche or first-landing month
    n = models.BigIntegerField(_("数量"), default=0)
    total = models.DecimalField(_("金额（万元）"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("驾驶舱汇总")
        verbose_name_plural = _("驾驶舱汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stage", "owner", "department", "month"],
                name="cockpittally_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.stage} {self.owner_id}/{self.department_id} {self.month}: {self.n} {self.total}"
