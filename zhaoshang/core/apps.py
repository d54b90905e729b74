from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhaoshang.core"
    label = "core"
    verbose_name = _("平台公共")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import retention  # noqa: F401 - registers the notifications category with the purge engine
        from .models import HolidayCalendar

        # An edited holiday row must count at once: drop this process's cached years.
        for signal in (post_save, post_delete):
            signal.connect(_clear_calendar_cache, sender=HolidayCalendar, dispatch_uid=f"core-calendar-{id(signal)}")


def _clear_calendar_cache(**kwargs):
    from . import calendar

    calendar.clear_cache()
