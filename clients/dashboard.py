"""领导驾驶舱 panels for the portal dashboard. Every figure is computed inside visible_to(user)."""

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.localized import is_english
from zhaoshang.core.names import format_person_name

from .funds import funds_by_month, month_start
from .models import PIPELINE, Department, Project, Role, Stage
from .roles import has_role


def _sees_cases(request):
    return request.user.is_authenticated and request.user.has_perm("clients.view_project")


# [N] Panels per role: officers see their own projects and follow-ups; heads (and the
# administrator) see their team's funnel, signings and ranking. Other roles that may read case
# records (privacy officer, auditor, complaint handler) have their own panels instead.
def _works_cases(request):
    return _sees_cases(request) and has_role(request.user, Role.Code.OFFICER, Role.Code.DEPARTMENT_HEAD)


def _leads_team(request):
    return _sees_cases(request) and has_role(
        request.user, Role.Code.DEPARTMENT_HEAD, Role.Code.ADMIN, Role.Code.LEADERSHIP
    )


# [L] The cockpit's period and department filters, read once per request. Without a query string
# (the portal dashboard) every panel shows what it always showed: this year, every department.
def cockpit_filters(request):
    cached = getattr(request, "_zs_cockpit_filters", None)
    if cached is None:
        from .forms_targets import PeriodForm
        from .targets import target_departments

        user = request.user
        departments = target_departments(user) if user.has_perm("clients.view_target") else None
        form = PeriodForm(request.GET or None, departments=departments)
        year, quarter, department = form.period()
        tree = Department.tree_ids(department.pk) if department is not None else None
        cached = {
            "form": form,
            "year": year,
            "quarter": quarter,
            "department": department,
            "tree": tree,
            "explicit": bool(form.is_bound and form.is_valid() and form.cleaned_data.get("year")),
        }
        request._zs_cockpit_filters = cached
    return cached


def _projects(request):
    """The user's projects, narrowed to the department filter (and the departments below it)."""
    qs = Project.objects.visible_to(request.user)
    tree = cockpit_filters(request)["tree"]
    return qs.filter(department_id__in=tree) if tree is not None else qs


def funnel_panel(request):
    if not _leads_team(request):
        return None
    counts = dict(_projects(request).values_list("stage").annotate(n=Count("pk")).order_by())
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
    """签约投资额 by month over twelve months, with 到位资金 (the 到资 tranches) next to it."""
    if not _leads_team(request):
        return None
    filters = cockpit_filters(request)
    today = timezone.localdate()
    if filters["explicit"]:
        from .targets import period_bounds

        today = min(today, period_bounds(filters["year"], filters["quarter"])[1])
    start = month_start(today, 11)
    projects = _projects(request)
    rows = (
        projects.filter(signed_at__gte=start, signed_at__lte=today, stage__in=[Stage.SIGNED, Stage.LANDED])
        .annotate(month=TruncMonth("signed_at"))
        .values("month")
        .annotate(total=Sum("planned_investment"), n=Count("pk"))
        .order_by("month")
    )
    by_month = {r["month"].strftime("%Y-%m"): r for r in rows}
    funds = funds_by_month(projects, start, today) if request.user.has_perm("clients.view_fundtranche") else {}
    labels, values, counts, arrived = [], [], [], []
    for back in range(11, -1, -1):
        key = month_start(today, back).strftime("%Y-%m")
        labels.append(key)
        values.append(float(by_month.get(key, {}).get("total") or 0))
        counts.append(by_month.get(key, {}).get("n", 0))
        arrived.append(float(funds.get(key) or 0))
    total, arrived_total = sum(values), sum(arrived)
    # The chart speaks the reader's unit: 万元 in Chinese, CNY million (100 万元) in English.
    if is_english():
        values, arrived, unit = [round(v / 100, 2) for v in values], [round(v / 100, 2) for v in arrived], "CNY million"
    else:
        unit = "万元"
    return {
        "template": "clients/panels/signed.html",
        "order": 21,
        "chart": {
            "labels": labels,
            "values": values,
            "counts": counts,
            "label": _("签约投资额"),
            "unit": unit,
            "series": [
                {"label": _("签约投资额"), "values": values, "type": "line"},
                {"label": _("到位资金"), "values": arrived, "type": "bar"},
            ],
        },
        "total": total,
        "arrived_total": arrived_total,
    }


def ranking_panel(request):
    if not _leads_team(request):
        return None
    signed = _projects(request).filter(stage__in=[Stage.SIGNED, Stage.LANDED])
    filters = cockpit_filters(request)
    if filters["explicit"]:  # the period filter of the cockpit: signed within it
        from .targets import period_bounds

        start, end = period_bounds(filters["year"], filters["quarter"])
        signed = signed.filter(signed_at__gte=start, signed_at__lte=end)
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


def targets_panel(request):
    """[L][N] 团队与考核目标: heads and leadership see their departments' and staff's progress against
    the period's targets, ranked by completion; an officer sees their own target, if one is set."""
    user = request.user
    if not (_sees_cases(request) and user.has_perm("clients.view_target")):
        return None
    from .targets import period_label, progress

    filters = cockpit_filters(request)
    departments, officers = progress(
        user=user, year=filters["year"], quarter=filters["quarter"], department=filters["department"]
    )
    if not (departments or officers) and not _leads_team(request):
        return None  # an officer without a target this period
    return {
        "template": "clients/panels/targets.html",
        "order": 19,
        "period_label": period_label(filters["year"], filters["quarter"]),
        "department_rows": departments[:10],
        "officer_rows": officers[:10],
        "more": len(departments) > 10 or len(officers) > 10,
        "query": request.GET.urlencode(),
    }


PANELS = [overdue_panel, my_projects_panel, targets_panel, funnel_panel, signed_panel, ranking_panel]
