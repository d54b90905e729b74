"""The scorecard's monthly snapshots (one row per month, written by `privacy.scorecard.services`)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScorecardSnapshot(models.Model):
    month = models.DateField(_("月份"), unique=True, help_text=_("该月第一天。"))
    taken_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # {row key: {"level": ..., "value": ..., "figures": {...}}}: figures and levels only, no personal data.
    rows = models.JSONField(_("各项结果"), default=dict)

    class Meta:
        verbose_name = _("合规记分卡月度快照")
        verbose_name_plural = _("合规记分卡月度快照")
        ordering = ["-month"]
        permissions = [("view_scorecard", _("可查看个人信息保护合规记分卡"))]

    def __str__(self):
        return f"{self.month:%Y-%m}"
