"""A dated snapshot of the record of processing activities, kept each time it is exported."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RopaSnapshot(models.Model):
    taken_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The record as exported: {"sheet code": [[cell, ...], ...]}; purposes, partners (organisations),
    # rules and measures only — no data subject's personal data.
    content = models.JSONField(_("记录内容"), default=dict)

    class Meta:
        verbose_name = _("处理活动记录快照")
        verbose_name_plural = _("处理活动记录快照")
        ordering = ["-taken_at", "-pk"]

    def __str__(self):
        return f"{timezone.localtime(self.taken_at):%Y-%m-%d %H:%M}"
