"""Why projects are lost: the configurable list of 终止 reason codes (edited in the admin)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.localized import localized


class LossReason(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    active = models.BooleanField(_("可选用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("项目终止原因")
        verbose_name_plural = _("项目终止原因")
        ordering = ["order", "code"]

    def __str__(self):
        return localized(self)
