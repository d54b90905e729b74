"""Scorecard rows read from the audit app (not a privacy concern): 51 out-of-scope attempts, and
54 the last internal audit and overdue rectifications. Loaded by `privacy.scorecard.base.rows`."""

import datetime

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import AMBER, RED, Result, grade_max, row

OUT_OF_SCOPE_WINDOW_DAYS = 30
AUDIT_INTERVAL_DAYS = 365  # PIPL Art. 54 / 合规审计管理办法: a compliance audit at least this often


@row("51-out-of-scope", article="51", title=gettext_lazy("越权访问尝试（近 30 天）"), order=514)
def out_of_scope_attempts():
    """Out-of-scope 404s recorded as "denied" access events (index on action, at)."""
    from audit.models import AccessEvent

    since = timezone.now() - datetime.timedelta(days=OUT_OF_SCOPE_WINDOW_DAYS)
    count = AccessEvent.objects.filter(action=AccessEvent.Action.DENIED, at__gte=since).count()
    return Result(
        level=grade_max(count, key="51-out-of-scope", default=(10, 50)),
        value=str(count),
        note=_("访问范围外记录被拒绝（404）的次数"),
        drilldown=f"{reverse('audit:access')}?action=denied",
        figures={"denied": count},
    )


@row("54-audit", article="54", title=gettext_lazy("合规审计及整改"), order=540)
def internal_audit():
    from audit.models import AuditEngagement, Rectification

    drill = reverse("audit:engagement_list")
    today = timezone.localdate()
    last = AuditEngagement.objects.filter(status=AuditEngagement.Status.CLOSED).aggregate(last=Max("period_end"))[
        "last"
    ]
    overdue = (
        Rectification.objects.select_related(None)
        .filter(Q(status__in=[Rectification.Status.OPEN, Rectification.Status.REJECTED]), due_date__lt=today)
        .count()
    )
    if last is None:
        if not overdue:
            return Result.no_data(_("尚无已完成的合规审计。"), drill)
        return Result(
            level=RED,
            value=str(overdue),
            note=_("尚无已完成的合规审计；整改逾期 %(n)s 项") % {"n": overdue},
            drilldown=drill,
        )
    level = grade_max(overdue, key="54-audit", default=(1, 3))
    if (today - last).days > AUDIT_INTERVAL_DAYS and level != RED:
        level = AMBER
    return Result(
        level=level,
        value=_("整改逾期 %(n)s") % {"n": overdue},
        note=_("最近一次审计期间截至 %(date)s") % {"date": f"{last:%Y-%m-%d}"},
        drilldown=drill,
        figures={"overdue": overdue, "last_audit": f"{last:%Y-%m-%d}"},
    )
