"""Scorecard row of PIPL Art. 57: incidents reported to the regulator and people notified on time."""

import datetime

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.scorecard.base import GREEN, RED, Result, row

from .models import Incident


@row("57-incidents", article="57", title=_("安全事件按时报告与告知"), order=570)
def incidents_on_time():
    """Red when any reportable incident was reported late (or is past its deadline unreported),
    or people affected were told late (or not yet, past the target); one query."""
    now = timezone.now()
    hours = settings.INCIDENT_REPORT_HOURS
    late_report = Q()
    for level, limit in hours.items():
        if limit is None:
            continue
        deadline = F("detected_at") + datetime.timedelta(hours=limit)
        late_report |= Q(level=level) & (
            Q(reported_to_regulator_at__gt=deadline)
            | Q(reported_to_regulator_at__isnull=True, detected_at__lt=now - datetime.timedelta(hours=limit))
        )
    notify_limit = datetime.timedelta(hours=settings.INCIDENT_NOTIFY_HOURS)
    late_notice = Q(affected_count__gt=0) & (
        Q(notified_at__gt=F("detected_at") + notify_limit)
        | Q(notified_at__isnull=True, detected_at__lt=now - notify_limit)
    )
    counts = Incident.objects.aggregate(
        total=Count("pk"),
        late_report=Count("pk", filter=late_report or Q(pk__in=[])),
        late_notice=Count("pk", filter=late_notice),
    )
    drilldown = reverse("privacy:incidents")
    if not counts["total"]:
        return Result.no_data(str(_("没有登记的安全事件，无从判断。")), drilldown=drilldown)
    late = counts["late_report"] + counts["late_notice"]
    return Result(
        level=RED if late else GREEN,
        value=f"{counts['total'] - late}/{counts['total']}",
        note=str(
            _("共 %(total)s 起事件：报告超时 %(r)s 起，告知超时 %(n)s 起。")
            % {"total": counts["total"], "r": counts["late_report"], "n": counts["late_notice"]}
        ),
        drilldown=drilldown,
        figures=counts,
    )
