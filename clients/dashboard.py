"""领导驾驶舱 panels for the portal dashboard. Every figure is computed inside visible_to(user)."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.localized import is_english
from zhaoshang.core.names import format_person_name

from .funds import month_start
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
    return _sees_cases(request) and has_role(
        request.user, Role.Code.DEPARTMENT_HEAD, Role.Code.ADMIN, Role.Code.LEADERSHIP
    )


# [L] The cockpit's period and department filters, read once per request. Without a query string
# (the portal dashboard) every panel shows what it always showed: this year, every department.
def cockpit_filters(request):
    cached = getattr(request, "_zs_cockpit_filters", None)
    if cached is None:
        from .forms_targets import PeriodForm
        from .targets import department_by_id, filter_departments, tree_index

        user = request.user
        choices = filter_departments(user) if user.has_perm("clients.view_target") else []
        form = PeriodForm(request.GET or None, departments=choices or None)
        year, quarter, department_id = form.period()
        department = department_by_id(user, department_id) if department_id else None
        cached = {
            "form": form,
            "year": year,
            "quarter": quarter,
            "department": department,
            "tree": tree_index(user).get(department.pk) if department is not None else None,
            "explicit": bool(form.is_bound and form.is_valid() and form.cleaned_data.get("year")),
        }
        request._zs_cockpit_filters = cached
    return cached


def _facts(request):
    """The stage, signed, 到资 and 落地 facts every panel of the page reads, read once per request.

    A user who sees every project (leadership, the administrator) reads them from the cockpit tally
    that PostgreSQL keeps as projects, tranches and stage changes are written (clients/tallies.py):
    one query over a few hundred rows, whatever the number of projects. Any narrower scope counts
    its own projects live, grants and pool rules included: projects by stage, owner, department and
    signing month in one pass (the funnel counts every stage; the ranking is all-time unless a
    period is chosen), tranches by owner, department and month over the chart's twelve months and
    the chosen period, landed projects over the period."""
    cached = getattr(request, "_zs_cockpit_facts", None)
    if cached is None:
        from . import tallies
        from .targets import funds_facts, landed_facts, period_bounds, stage_facts

        user = request.user
        filters = cockpit_filters(request)
        start, end = period_bounds(filters["year"], filters["quarter"])
        chart_end = _chart_end(request)
        chart_start = month_start(chart_end, 11)
        window = (min(start, chart_start), max(end, chart_end))
        sees_funds = user.has_perm("clients.view_fundtranche")
        sees_targets = user.has_perm("clients.view_target")
        if tallies.covers(user):
            stages, signed, funds, landed = tallies.facts(
                departments=filters["tree"],
                funds=window if sees_funds else None,
                landed=(start, end) if sees_targets else None,
            )
            cached = {"stages": stages, "signed": signed, "funds": funds, "landed": landed}
        else:
            projects = _projects(request)
            stages, signed = stage_facts(projects)
            cached = {
                "stages": stages,
                "signed": signed,
                "funds": funds_facts(projects, *window) if sees_funds else [],
                "landed": landed_facts(projects, start, end) if sees_targets else None,
            }
        request._zs_cockpit_facts = cached
    return cached


def _chart_end(request):
    filters = cockpit_filters(request)
    today = timezone.localdate()
    if filters["explicit"]:
        from .targets import period_bounds

        today = min(today, period_bounds(filters["year"], filters["quarter"])[1])
    return today


def _projects(request):
    """The user's projects, narrowed to the department filter (and the departments below it)."""
    qs = Project.objects.visible_to(request.user)
    tree = cockpit_filters(request)["tree"]
    return qs.filter(department_id__in=tree) if tree is not None else qs


def funnel_panel(request):
    if not _leads_team(request):
        return None
    counts = _facts(request)["stages"]
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
    today = _chart_end(request)
    start = month_start(today, 11)
    facts = _facts(request)
    signed, counts_by, arrived_by = {}, {}, {}
    for *_who, month, n, total in facts["signed"]:
        if month is not None and start <= month <= today:
            key = month.strftime("%Y-%m")
            signed[key] = signed.get(key, 0) + float(total or 0)
            counts_by[key] = counts_by.get(key, 0) + n
    for _owner, _department, month, total in facts["funds"]:
        if start <= month <= today:
            key = month.strftime("%Y-%m")
            arrived_by[key] = arrived_by.get(key, 0) + float(total or 0)
    labels = [month_start(today, back).strftime("%Y-%m") for back in range(11, -1, -1)]
    values = [signed.get(k, 0.0) for k in labels]
    counts = [counts_by.get(k, 0) for k in labels]
    arrived = [arrived_by.get(k, 0.0) for k in labels]
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
    """签约排行 by officer and by department (all-time, or within the cockpit's period when chosen),
    from the page's signed facts: no query of its own."""
    if not _leads_team(request):
        return None
    from .targets import department_rows

    filters = cockpit_filters(request)
    start = end = None
    if filters["explicit"]:  # the period filter of the cockpit: signed within it
        from .targets import period_bounds

        start, end = period_bounds(filters["year"], filters["quarter"])
        start = start.replace(day=1)
    officers, departments = {}, {}
    for owner_id, last, first, username, department_id, month, n, total in _facts(request)["signed"]:
        if start is not None and (month is None or not start <= month <= end):
            continue
        for key, table, name in (
            (owner_id, officers, format_person_name(last, first, username)),
            (department_id, departments, ""),
        ):
            if key is None:
                continue
            row = table.setdefault(key, {"n": 0, "total": Decimal(0), "name": name})
            row["n"] += n
            row["total"] += total or 0
    names = {d.pk: (is_english() and d.name_en) or d.name for d in department_rows(request.user)}
    for pk, row in departments.items():
        row["name"] = names.get(pk, "")

    def top(table):
        return sorted(table.values(), key=lambda r: (-r["total"], -r["n"], r["name"]))[:10]

    return {
        "template": "clients/panels/ranking.html",
        "order": 22,
        "by_officer": top(officers),
        "by_department": top(departments),
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
    facts = _facts(request)
    departments, officers = progress(
        user=user,
        year=filters["year"],
        quarter=filters["quarter"],
        department=filters["department"],
        projects=_projects(request),
        facts=(facts["signed"], facts["funds"], facts["landed"]),
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
