"""Scorecard row of policy review: 17 the privacy policy published and reviewed on time."""

from django.db.models import Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import RED, Result, grade_max, row


@row("17-policy", article="17", title=gettext_lazy("隐私政策公开并定期复核"), order=170)
def policy_reviewed():
    from privacy.consent.models import PrivacyPolicy

    from .models import PolicyReview

    drill = reverse("privacy:review")
    today = timezone.localdate()
    # One query: the policy in effect, with the latest review's next date beside it.
    latest = PolicyReview.objects.order_by("-reviewed_on", "-pk")
    current = (
        PrivacyPolicy.objects.published()
        .filter(effective_date__lte=today)
        .order_by("-effective_date", "-published_at")
        .annotate(next_review=Subquery(latest.values("next_review_date")[:1]))
        .first()
    )
    if current is None:
        return Result(level=RED, value=_("未发布"), note=_("没有已生效的隐私政策。"), drilldown=drill)
    if current.next_review is None:
        return Result.no_data(_("政策 v%(version)s 已发布，尚未登记复核。") % {"version": current.version}, drill)
    overdue = max((today - current.next_review).days, 0)
    return Result(
        level=grade_max(overdue, key="17-policy", default=(1, 1)),
        value=_("下次复核 %(date)s") % {"date": f"{current.next_review:%Y-%m-%d}"},
        note=_("现行版本 v%(version)s；复核逾期 %(days)s 天") % {"version": current.version, "days": overdue},
        drilldown=drill,
        figures={"overdue_days": overdue, "version": current.version},
    )
