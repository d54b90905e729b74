from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhaoshang.core"
    label = "core"
    verbose_name = _("平台公共")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import (
            checks,  # noqa: F401 - registers the project's system checks
            retention,  # noqa: F401 - registers the notifications category with the purge engine
        )
        from .models import HolidayCalendar

        # An edited holiday row must count at once: drop this process's cached years.
        for signal in (post_save, post_delete):
            signal.connect(_clear_calendar_cache, sender=HolidayCalendar, dispatch_uid=f"core-calendar-{id(signal)}")
        _name_third_party_apps()


# [N] The admin console speaks Chinese throughout: third-party apps and models get Chinese names
# (English through the catalogue). Only the runtime names change (`_meta.original_attrs`, which
# migrations read, stays as the package declares it), so no migration appears in those packages.
THIRD_PARTY_NAMES = {
    "auditlog": (_("变更日志"), {"logentry": (_("变更记录"), _("变更记录"))}),
    "axes": (
        _("登录防护"),
        {
            "accessattempt": (_("登录失败锁定"), _("登录失败锁定")),
            "accessfailurelog": (_("登录失败记录"), _("登录失败记录")),
            "accesslog": (_("登录记录"), _("登录记录")),
        },
    ),
    "otp_static": (_("双因素认证：备用码"), {"staticdevice": (_("备用码设备"), _("备用码设备"))}),
    "otp_totp": (_("双因素认证：动态口令"), {"totpdevice": (_("动态口令设备"), _("动态口令设备"))}),
    "two_factor": (_("双因素认证"), {}),
    "guardian": (_("对象权限"), {}),
    "import_export": (_("导入导出"), {}),
}


def _name_third_party_apps():
    from django.apps import apps

    for label, (app_name, models) in THIRD_PARTY_NAMES.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        config.verbose_name = app_name
        for model_name, (singular, plural) in models.items():
            try:
                meta = config.get_model(model_name)._meta
            except LookupError:
                continue
            meta.verbose_name, meta.verbose_name_plural = singular, plural


def _clear_calendar_cache(**kwargs):
    from . import calendar

    calendar.clear_cache()
