"""领导驾驶舱 panels for the portal dashboard. Every figure is computed inside visible_to(user)."""

from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.localized import is_english
from zhaoshang.core.names import format_person_name

from .models import PIPELINE, Project, Role, Stage
from .roles import has_role


def _sees_cases(request):
    return request.user.is_authenticated and request.user.has_perm("clients.view_project")


# [N] Panels per role: officers see their own projects and follow-ups; heads (and the
# administrator) see their team's funnel, signings and ranking. Other roles that may read case
# records (privacy officer, auditor, complaint handler) have their own panels instead.
def _works_cases(request):
    return _sees_cases(request) and has_role(request.user, Role.Code.OFFICER, Role.Code.DEPARTMENT_HEAD)


def _leads_team(request):
    return _sees_cases(request) and has_role(request.user, Role.Code.DEPARTMENT_HEAD, Role.Code.ADMIN)


def _month_start(d, back):
    y, m = d.year, d.month - back
    while m <= 0:
        m += 12
        y -= 1
    return date(y, m, 1)


def funnel_panel(request):
    if not _leads_team(request):
        return None
    counts = dict(Project.objects.visible_to(request.user).values_list("stage").annotate(n=Count("pk")).order_by())
    # Every stage, 终止 included, in the chart as in the table.
    stages = [
        {"code": s.value, "label": str(s.label), "count": counts.get(s.value, 0)} for s in [*PIPELINE, Stage.TERMINATED]
    ]
    return {
        "template": "clients/panels/funnel.html",
        "order": 20,
        "stages": stages,
        "chart": {
            "labels": [s["label"] for s in stages],
            "values": [s["count"] for s in stages],
            "integer": True,
        },
    }


def signed_panel(request):
    if not _leads_team(request):
        return None
    today = timezone.localdate()
    start = _month_start(today, 11)
    rows = (
        Project.objects.visible_to(request.user)
        .filter(signed_at__gte=start, stage__in=[Stage.SIGNED, Stage.LANDED])
        .annotate(month=TruncMonth("signed_at"))
        .values("month")
        .annotate(total=Sum("planned_investment"), n=Count("pk"))
        .order_by("month")
    )
    by_month = {r["month"].strftime("%Y-%m"): r for r in rows}
    labels, values, counts = [], [], []
    for back in range(11, -1, -1):
        key = _month_start(today, back).strftime("%Y-%m")
        labels.append(key)
        values.append(float(by_month.get(key, {}).get("total") or 0))
        counts.append(by_month.get(key, {}).get("n", 0))
    total = sum(values)
    # The chart speaks the reader's unit: 万元 in Chinese, CNY million (100 万元) in English.
    if is_english():
        values, unit = [round(v / 100, 2) for v in values], "CNY million"
    else:
        unit = "万元"
    return {
        "template": "clients/panels/signed.html",
        "order": 21,
        "chart": {"labels": labels, "values": values, "counts": counts, "label": _("签约投资额"), "unit": unit},
        "total": total,
    }


def ranking_panel(request):
    if not _leads_team(request):
        return None
    signed = Project.objects.visible_to(request.user).filter(stage__in=[Stage.SIGNED, Stage.LANDED])
    by_officer = (
        signed.filter(owner__isnull=False)
        .values("owner__username", "owner__last_name", "owner__first_name")
        .annotate(n=Count("pk"), total=Sum("planned_investment"))
        .order_by("-total", "-n")[:10]
    )
    by_department = (
        signed.filter(department__isnull=False)
        .values("department__name", "department__name_en")
        .annotate(n=Count("pk"), total=Sum("planned_investment"))
        .order_by("-total", "-n")[:10]
    )
    return {
        "template": "clients/panels/ranking.html",
        "order": 22,
        "by_officer": [
            {
                **row,
                "name": format_person_name(row["owner__last_name"], row["owner__first_name"], row["owner__username"]),
            }
            for row in by_officer
        ],
        "by_department": [
            {**row, "name": (is_english() and row["department__name_en"]) or row["department__name"]}
            for row in by_department
        ],
    }


def overdue_panel(request):
    if not (_works_cases(request) and request.user.has_perm("clients.view_followup")):
        return None
    from .models import FollowUp

    rows = list(
        FollowUp.objects.visible_to(request.user)
        .overdue()
        .filter(project__owner=request.user)
        .select_related(None)
        .select_related("project")
        .only("id", "next_contact_date", "method", "project__id", "project__title")
        .order_by("next_contact_date")[:20]
    )
    if not rows and not has_role(request.user, Role.Code.OFFICER):
        return None  # a head who owns no project sees the team panels only
    return {"template": "clients/panels/overdue.html", "order": 10, "followups": rows}


def my_projects_panel(request):
    if not _works_cases(request):
        return None
    rows = list(
        Project.objects.visible_to(request.user)
        .filter(owner=request.user)
        .exclude(stage=Stage.TERMINATED)
        .select_related("enterprise")
        .only("id", "title", "stage", "stage_changed_at", "last_activity_at", "enterprise__name")
        .order_by("-last_activity_at")[:10]
    )
    if not rows and not has_role(request.user, Role.Code.OFFICER):
        return None
    return {"template": "clients/panels/my_projects.html", "order": 11, "projects": rows}


PANELS = [overdue_panel, my_projects_panel, funnel_panel, signed_panel, ranking_panel]
