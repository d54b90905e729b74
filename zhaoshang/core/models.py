"""Shared tables of the platform: the Chinese working-day calendar.

One row per exceptional day: a statutory holiday (法定节假日, including the days moved into a
holiday block by 调休) or a make-up working day (调休上班日, usually a weekend). Every other day is
a working day from Monday to Friday. Read it through `zhaoshang.core.calendar`, never directly.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class HolidayCalendar(models.Model):
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("节日"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True, editable=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    Kind = DayKind

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["holiday", "workday"]), name="core_holiday_kind_valid"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def save(self, *args, **kwargs):
        # `year` is derived from the date so that a year's rows load with one indexed query.
        self.year = self.date.year
        if kwargs.get("update_fields") is not None and "date" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "year"}
        super().save(*args, **kwargs)


class Heartbeat(models.Model):
    """The last time a periodic job ran on a worker (`zhaoshang.core.tasks.heartbeat`, every minute
    from beat). Its age tells /healthz and the stalled-work banner whether background work runs."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    at = models.DateTimeField(_("最近运行时间"))

    class Meta:
        verbose_name = _("后台心跳")
        verbose_name_plural = _("后台心跳")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


from .notifications.models import Notification, NotificationPreference  # noqa: E402,F401 - the app's models
