"""Notification kinds of incidents and training (texts carry reference numbers and dates only)."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "incident_report_due": {
        "label": _("安全事件须向监管部门报告"),
        "text": _("安全事件 %(reference)s 须于 %(deadline)s 前向监管部门报告"),
        "params": ("reference", "deadline"),
        "url_name": "privacy:incident_detail",
        "optional": False,
        "digestable": False,
    },
    "incident_drill_due": {
        "label": _("应急演练到期"),
        "text": _("近 12 个月没有个人信息安全事件应急演练记录（上次：%(last)s），请组织演练并登记"),
        "params": ("last",),
        "url_name": "privacy:drills",
        "by_object": False,
    },
    "training_expiring": {
        "label": _("个人信息保护培训即将到期"),
        "text": _("个人信息保护培训（课程 #%(course)s）将于 %(date)s 到期，请及时参加培训"),
        "params": ("course", "date"),
        "url_name": "privacy:training_mine",
        "by_object": False,
    },
}


def register_kinds():
    from zhaoshang.core.notifications.kinds import KINDS as REGISTERED
    from zhaoshang.core.notifications.kinds import register_kind

    for code, options in KINDS.items():
        if code not in REGISTERED:
            register_kind(code, **options)
