"""Scorecard rows of PIPL Art. 51 (training coverage of staff who can reveal) and seed 十六
(recognition records in the last 12 months)."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.scorecard.base import AMBER, GREEN, Result, grade_min, row

from .models import Course, Recognition
from .services import current_completion_exists, revealing_staff


@row("51-training", article="51", title=_("可查看明文人员的培训覆盖率"), order=510)
def training_coverage():
    """Share of active staff who may reveal holding a current completion; two queries."""
    drilldown = reverse("privacy:training_coverage")
    if not Course.objects.filter(is_active=True).exists():
        return Result.no_data(str(_("尚未设置培训课程。")), drilldown=drilldown)
    staff = get_user_model().objects.filter(pk__in=revealing_staff().values("pk"))
    counts = staff.aggregate(total=Count("pk"), trained=Count("pk", filter=Q(current_completion_exists())))
    total, trained = counts["total"], counts["trained"]
    if not total:
        return Result.no_data(str(_("没有可查看明文的人员。")), drilldown=drilldown)
    rate = trained / total * 100
    return Result(
        level=grade_min(rate, key="51-training", default=(95, 80)),
        value=f"{rate:.0f}%",
        note=str(_("%(t)s / %(n)s 人培训在有效期内") % {"t": trained, "n": total}),
        drilldown=drilldown,
        figures={"total": total, "trained": trained},
    )


@row("16-recognition", article=_("十六"), title=_("个人信息保护表彰（近 12 个月）"), order=1600)
def recognition_count():
    """Recognition records in the last 12 months; amber when none. One query."""
    since = timezone.localdate() - datetime.timedelta(days=365)
    count = Recognition.objects.filter(awarded_on__gt=since).count()
    return Result(
        level=GREEN if count else AMBER,
        value=str(count),
        note=str(_("近 12 个月的表彰记录")),
        drilldown=reverse("privacy:training_recognitions"),
        figures={"count": count},
    )
