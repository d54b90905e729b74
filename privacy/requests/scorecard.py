"""Scorecard row of data-subject requests (PIPL Art. 44–50): overdue requests and the median number
of days to answer, in one query over the requests still open or answered in the last 12 months
(a year's requests, not the whole history)."""

import datetime
import statistics

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import Result, grade_max, row

from .models import CLOCK_STATUSES, OPEN_STATUSES, RequestStatus, SubjectRequest

ANSWERED = [RequestStatus.COMPLETED, RequestStatus.PARTLY_COMPLETED, RequestStatus.REFUSED]


@row("44-requests", article="44–50", title=gettext_lazy("个人权利请求按期答复"), order=440)
def requests_on_time():
    drill = reverse("privacy:requests")
    today = timezone.localdate()
    year_ago = timezone.now() - datetime.timedelta(days=365)
    rows = list(
        SubjectRequest.objects.select_related(None)
        .filter(Q(status__in=OPEN_STATUSES) | Q(status__in=ANSWERED, closed_at__gte=year_ago))
        .values_list("status", "due_date", "received_at", "closed_at")
    )
    if not rows:
        return Result.no_data(_("过去 12 个月没有个人权利请求。"), drill)
    open_rows = [r for r in rows if r[0] in OPEN_STATUSES]
    overdue = sum(1 for status, due, _r, _c in open_rows if status in CLOCK_STATUSES and due < today)
    days = [(closed - received).total_seconds() / 86400 for status, _d, received, closed in rows if closed]
    median = round(statistics.median(days), 1) if days else None
    figures = {"open": len(open_rows), "overdue": overdue, "answered": len(days), "median_days": median}
    note = (
        _("近 12 个月答复 %(answered)s 件，答复用时中位数 %(median_days)s 天（自然日）。") % figures
        if days
        else _("近 12 个月尚无已答复的请求。")
    )
    return Result(
        level=grade_max(overdue, key="44-requests", default=(1, 3)),
        value=_("逾期 %(overdue)s / 未结 %(open)s") % figures,
        note=note,
        drilldown=drill,
        figures=figures,
    )
