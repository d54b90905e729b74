"""Reminders of partner sharing and impact assessments, through the portal's one notification
mechanism (`zhaoshang.core.notifications.notify`).

The periodic job (`privacy.sharing.tasks.send_sharing_reminders`, also the management command
``send_sharing_reminders``) picks due rows from the database every morning and calls `remind`;
`once_key` (the due date) makes each reminder go out once however often the job runs. Texts carry
reference numbers and dates only.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

EXPIRY_NOTICE_DAYS = (30, 7)
EVALUATION_NOTICE_DAYS = 14

# code -> what register_kind needs (label, text with reference placeholders only, url name).
KINDS = {
    "agreement_expiring": {
        "label": _("协议即将到期"),
        "text": _("协议 #%(agreement)s 将于 %(date)s 到期（剩余 %(days)s 天），请及时续签或安排终止"),
        "params": ("agreement", "date", "days"),
        "url_name": "privacy:agreement_detail",
    },
    "agreement_return_pending": {
        "label": _("协议终止后待确认返还或删除"),
        "text": _("协议 #%(agreement)s 已于 %(date)s 结束，尚未收到接收方返还或删除个人信息的确认"),
        "params": ("agreement", "date"),
        "url_name": "privacy:agreement_detail",
    },
    "partner_evaluation_due": {
        "label": _("合作方定期评估到期"),
        "text": _("合作方 #%(partner)s 的定期评估应于 %(due)s 前完成"),
        "params": ("partner", "due"),
        "url_name": "privacy:partner_detail",
    },
    "assessment_review_due": {
        "label": _("影响评估待复核"),
        "text": _("个人信息保护影响评估 %(reference)s 应于 %(due)s 前复核"),
        "params": ("reference", "due"),
        "url_name": "privacy:assessment_detail",
    },
    "mitigation_due": {
        "label": _("风险控制措施到期"),
        "text": _("影响评估 %(reference)s 的控制措施 #%(mitigation)s 应于 %(due)s 前完成"),
        "params": ("reference", "mitigation", "due"),
        "url_name": "privacy:assessment_detail",
    },
}


def register_kinds():
    """Register this concern's kinds with the notification mechanism (once, at start-up)."""
    try:
        from zhaoshang.core.notifications.kinds import KINDS as REGISTERED
        from zhaoshang.core.notifications.kinds import register_kind
    except ImportError:  # the notification mechanism has not landed in this tree
        return False
    for code, options in KINDS.items():
        if code not in REGISTERED:
            register_kind(code, **options)
    return True


def privacy_officers():
    """Active users holding the privacy officer's role."""
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__role__code="privacy_officer"))
        .distinct()
        .order_by("pk")
    )


def remind(users, kind, obj, context, *, once_key):
    """Notify `users` once per (kind, obj, once_key). Returns the number of notifications written."""
    try:
        from zhaoshang.core.notifications import notify
    except ImportError:
        logger.warning(
            "notification mechanism missing: reminder %s for %s #%s not sent", kind, type(obj).__name__, obj.pk
        )
        return 0
    return len(notify(users, kind, obj, context, once_key=once_key) or [])


def sharing_remind(today=None):
    """Agreements expiring in 30 and 7 days, agreements ended without a return-or-deletion
    confirmation (weekly), partner evaluations due within 14 days. Returns reminders written."""
    from .models import Agreement, Partner, ReturnDeletion
    from .services import agreements_mark_ended

    today = today or timezone.localdate()
    agreements_mark_ended(today=today)
    officers = privacy_officers()
    sent = 0
    for days in EXPIRY_NOTICE_DAYS:
        day = today + datetime.timedelta(days=days)
        for agreement in Agreement.objects.in_force(today).filter(valid_until=day).select_related("created_by"):
            users = officers + ([agreement.created_by] if agreement.created_by else [])
            sent += remind(
                users,
                "agreement_expiring",
                agreement,
                {"agreement": agreement.pk, "date": agreement.valid_until, "days": days},
                once_key=f"{agreement.valid_until:%Y-%m-%d}:{days}",
            )
    week = today.isocalendar()
    for agreement in Agreement.objects.filter(return_deletion=ReturnDeletion.PENDING):
        ended = agreement.terminated_at.date() if agreement.terminated_at else agreement.valid_until
        sent += remind(
            officers,
            "agreement_return_pending",
            agreement,
            {"agreement": agreement.pk, "date": ended},
            once_key=f"{week.year}-W{week.week:02d}",
        )
    horizon = today + datetime.timedelta(days=EVALUATION_NOTICE_DAYS)
    for partner in Partner.objects.filter(is_active=True, next_evaluation_due__lte=horizon):
        sent += remind(
            officers,
            "partner_evaluation_due",
            partner,
            {"partner": partner.pk, "due": partner.next_evaluation_due},
            once_key=f"{partner.next_evaluation_due:%Y-%m-%d}",
        )
    return sent
