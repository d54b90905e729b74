"""Editable reference tables: kinds (with their working-day deadlines) and categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.localized import localized


class ComplaintKind(models.Model):
    """投诉 / 咨询 / 建议 / 表扬, each with its own clocks (in working days)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    ack_working_days = models.PositiveSmallIntegerField(_("受理确认时限（工作日）"), default=1)
    resolution_working_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"), default=13)
    remind_before_working_days = models.PositiveSmallIntegerField(
        _("到期前催办提前量（工作日）"), default=2, help_text=_("到期前多少个工作日发出催办提醒。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求类型")
        verbose_name_plural = _("诉求类型")
        ordering = ["order", "code"]

    def __str__(self):
        return localized(self)


class ComplaintCategory(models.Model):
    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    is_privacy = models.BooleanField(
        _("个人信息类"), default=False, help_text=_("此类诉求可关联个人信息权利请求或安全事件。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["order", "code"]

    def __str__(self):
        return localized(self)
