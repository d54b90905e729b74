"""Scorecard row of retention: 19 expired rows purged, and how long since the last purge run."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import AMBER, RED, Result, grade_max, row


@row("19-retention", article="19", title=gettext_lazy("到期个人信息按时删除或匿名化"), order=190)
def retention_purged():
    """From the last real purge run (one query): its age, and the expired rows it left unpurged
    (candidates minus processed, per rule, as the run recorded them)."""
    from .models import PurgeRun

    drill = reverse("privacy:retention")
    run = (
        PurgeRun.objects.filter(dry_run=False, finished_at__isnull=False)
        .only("pk", "finished_at", "status", "counts", "errors")
        .order_by("-finished_at")
        .first()
    )
    if run is None:
        return Result.no_data(_("尚未执行过到期清理。"), drill)
    age = (timezone.now() - run.finished_at).days
    left = sum(
        max(int(stats.get("candidates", 0)) - int(stats.get("processed", 0)), 0)
        for stats in (run.counts or {}).values()
        if isinstance(stats, dict)
    )
    level = grade_max(age, key="19-retention", default=(2, 8))
    if left or run.status == PurgeRun.Status.FAILED:
        level = RED
    elif run.status == PurgeRun.Status.PARTIAL and level != RED:
        level = AMBER
    return Result(
        level=level,
        value=_("%(days)s 天前") % {"days": age},
        note=_("最近一次清理：%(status)s；到期未清理 %(left)s 条") % {"status": run.get_status_display(), "left": left},
        drilldown=drill,
        figures={"days_since_run": age, "left": left, "status": run.status},
    )
