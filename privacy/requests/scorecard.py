"""Scorecard row of data-subject requests: 44–50 requests overdue (one aggregate query).

Reads `SubjectRequest` as it is on main (status, due_date, received_at). The median number of days
to answer needs the time a request was answered, which the model does not record yet: the row
says so instead of guessing.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import Result, grade_max, row

from .models import RequestStatus, SubjectRequest


@row("44-requests", article="44–50", title=gettext_lazy("个人权利请求按期答复"), order=440)
def requests_on_time():
    drill = reverse("privacy:requests")
    today = timezone.localdate()
    open_statuses = [RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS]
    figures = SubjectRequest.objects.select_related(None).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=open_statuses)),
        overdue=Count("pk", filter=Q(status__in=open_statuses, due_date__lt=today)),
    )
    if not figures["total"]:
        return Result.no_data(_("尚未收到个人权利请求。"), drill)
    overdue = figures["overdue"]
    return Result(
        level=grade_max(overdue, key="44-requests", default=(1, 3)),
        value=_("逾期 %(overdue)s / 未结 %(open)s") % figures,
        note=_("答复用时中位数暂无法计算：请求尚未记录答复时间。"),
        drilldown=drill,
        figures=figures,
    )
