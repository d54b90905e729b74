"""This concern's notification kinds (registered once at start-up from PrivacyConfig.ready)."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "subject_request_assigned": {
        "label": _("个人信息权利请求分派"),
        "text": _("个人信息权利请求 #%(number)s 已分派给您承办，答复期限 %(due)s"),
        "params": ("number", "due"),
        "url_name": "privacy:request_detail",
    },
    "subject_request_due": {
        "label": _("个人信息权利请求到期提醒"),
        "text": _("【到期提醒】个人信息权利请求 #%(number)s 答复期限 %(due)s，当前状态：%(status)s"),
        "params": ("number", "due", "status"),
        "url_name": "privacy:request_detail",
        "labels": (("status", "privacy.requests.models.RequestStatus"),),
    },
    "subject_request_overdue": {
        "label": _("个人信息权利请求超期"),
        "text": _(
            "【超期】个人信息权利请求 #%(number)s 答复期限 %(due)s，已超期 %(days)s 个工作日，当前状态：%(status)s"
        ),
        "params": ("number", "due", "days", "status"),
        "url_name": "privacy:request_detail",
        "digestable": False,
        "optional": False,
        "labels": (("status", "privacy.requests.models.RequestStatus"),),
    },
}


def register_kinds():
    try:
        from zhaoshang.core.notifications.kinds import KINDS as REGISTERED
        from zhaoshang.core.notifications.kinds import Channel, register_kind
    except ImportError:
        return False
    for code, options in KINDS.items():
        if code not in REGISTERED:
            options = dict(options)
            if code != "subject_request_assigned":
                options.setdefault("default", Channel.EMAIL)
            register_kind(code, **options)
    return True
