"""Scorecard row of impact assessments: 55–56 every trigger covered by an in-date assessment, and
reviews overdue (four queries whatever the data size: agreements, purposes, assessments, overdue)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.scorecard.base import Result, grade_max, row

from .models import AssessmentStatus, ImpactAssessment, Trigger

# The Art. 55 trigger each kind of agreement in force brings.
AGREEMENT_TRIGGERS = {"entrusted": Trigger.ENTRUST, "providing": Trigger.PROVIDE, "joint": Trigger.PROVIDE}


def uncovered_triggers(today=None):
    """[(trigger, what needs it)] for each trigger present in the zone's processing without an
    in-date assessment covering it."""
    from privacy.consent.scorecard import active_purposes
    from privacy.sharing.models import Agreement

    today = today or timezone.localdate()
    covered = {}  # (trigger, partner id or None) present in an in-date assessment
    for partner_id, triggers in ImpactAssessment.objects.in_date(today).values_list("partner_id", "triggers"):
        for trigger in triggers or []:
            covered[(trigger, partner_id)] = True
            covered[(trigger, None)] = True
    needed = []
    agreements = (
        Agreement.objects.select_related(None)
        .in_force(today)
        .values_list("pk", "kind", "partner_id", "partner__overseas")
    )
    for pk, kind, partner_id, overseas in agreements:
        wanted = [AGREEMENT_TRIGGERS.get(kind)] + ([Trigger.CROSS_BORDER] if overseas else [])
        for trigger in filter(None, wanted):
            if (trigger, partner_id) not in covered:
                needed.append((trigger, f"agreement:{pk}"))
    for purpose in active_purposes():
        if "id_number" in (purpose.categories or []) and (Trigger.SENSITIVE, None) not in covered:
            needed.append((Trigger.SENSITIVE, f"purpose:{purpose.code}"))
    return needed


@row("55-assessments", article="55–56", title=gettext_lazy("影响评估覆盖各情形并按期复核"), order=550)
def assessments_cover_triggers():
    drill = reverse("privacy:assessments")
    today = timezone.localdate()
    missing = uncovered_triggers(today)
    counts = ImpactAssessment.objects.aggregate(
        total=Count("pk"),
        overdue=Count(
            "pk", filter=Q(status=AssessmentStatus.APPROVED, ended_at__isnull=True, next_review_date__lt=today)
        ),
    )
    overdue = counts["overdue"]
    if not missing and not counts["total"]:
        return Result.no_data(_("没有需要评估的处理情形，也没有评估记录。"), drill)
    labels = dict(Trigger.choices)
    note = _("未覆盖的情形 %(missing)s 项；复核逾期 %(overdue)s 份") % {"missing": len(missing), "overdue": overdue}
    if missing:
        note += _("：%(labels)s") % {"labels": _("、").join(sorted({str(labels[t]) for t, _what in missing}))}
    bad = len(missing) + overdue
    return Result(
        level=grade_max(bad, key="55-assessments", default=(1, 1)),
        value=str(bad),
        note=note,
        drilldown=drill,
        figures={"uncovered": [w for _t, w in missing], "overdue": overdue},
    )
