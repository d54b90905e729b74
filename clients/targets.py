"""考核 targets: who may set them, the one service that writes them, and progress against them.

Heads set targets for their own department (and the departments below it) and its staff; 分管领导
(leadership) and the administrator for every department. Progress is measured inside the reader's
data scope (`Project.objects.visible_to`), in a fixed number of aggregate queries whatever the
number of projects:

- 签约项目数 / 签约投资额: projects at 签约 or 注册落地 whose signing date falls in the period;
- 到位资金: the 到资 tranches (clients.FundTranche) dated in the period;
- 落地项目数: projects that first entered 注册落地 in the period (their stage history).

An officer's figures are those of the projects they own; a department's are those of the projects
of the department and every department below it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhaoshang.core.localized import is_english
from zhaoshang.core.names import format_person_name

from .models import Department, FundTranche, Project, Role, Stage, StageChange, Target
from .roles import has_role

METRICS = [
    ("signed_projects", gettext_lazy("签约项目数")),
    ("signed_investment", gettext_lazy("签约投资额（万元）")),
    ("funds_arrived", gettext_lazy("到位资金（万元）")),
    ("landed_projects", gettext_lazy("落地项目数")),
]
METRIC_NAMES = [name for name, _label in METRICS]


# --- periods ---------------------------------------------------------------------------------


def period_bounds(year, quarter=None):
    """First and last day of a year or of one of its quarters."""
    if quarter:
        start = datetime.date(year, 3 * quarter - 2, 1)
        end_month = 3 * quarter
        end = (datetime.date(year + (end_month == 12), end_month % 12 + 1, 1)) - datetime.timedelta(days=1)
        return start, end
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def period_label(year, quarter=None):
    if quarter:
        return _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}
    return _("%(year)s年度") % {"year": year}


# --- who may set whose targets -----------------------------------------------------------------


def sets_all_targets(user):
    return user.is_superuser or has_role(user, Role.Code.LEADERSHIP, Role.Code.ADMIN)


def target_department_ids(user):
    """Departments whose targets (and whose staff's) the user may set: all for leadership, the
    headed departments and below for a head, none otherwise."""
    if not user.has_perm("clients.add_target"):
        return set()
    if sets_all_targets(user):
        return {d.pk for d in department_rows(user)}
    from .scopes import departments_headed_tree

    return set(departments_headed_tree(user))


def target_departments(user):
    return Department.objects.filter(pk__in=target_department_ids(user), is_active=True).order_by("code")


def filter_departments(user):
    """(id, name) of the departments the user may filter the cockpit by, from the cached rows."""
    ids = target_department_ids(user)
    rows = sorted((d for d in department_rows(user) if d.pk in ids and d.is_active), key=lambda d: d.code)
    return [(d.pk, _department_name(d)) for d in rows]


def department_by_id(user, pk):
    return next((d for d in department_rows(user) if d.pk == pk), None)


def target_officers(user):
    """Staff who carry targets (officers and heads) in the departments the user may set targets for."""
    ids = target_department_ids(user)
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__department_id__in=ids)
        .filter(groups__role__code__in=[Role.Code.OFFICER, Role.Code.DEPARTMENT_HEAD])
        .select_related("profile__department")
        .distinct()
        .order_by("profile__department__code", "last_name", "first_name", "username")
    )


def may_set_target(user, *, department=None, officer=None):
    ids = target_department_ids(user)
    if department is not None:
        return department.pk in ids
    if officer is not None:
        profile = getattr(officer, "profile", None)
        return bool(profile and profile.department_id in ids)
    return False


def visible_targets(user, year, quarter=None):
    """Targets of the period the user may read: leadership all; a head their departments' and
    staff's; an officer their own."""
    qs = Target.objects.for_period(year, quarter).select_related("officer", "department")
    if sets_all_targets(user):
        return qs
    ids = target_department_ids(user)
    own = Q(officer=user)
    if not ids:
        return qs.filter(own) if user.has_perm("clients.view_target") else qs.none()
    return qs.filter(own | Q(department_id__in=ids) | Q(officer__profile__department_id__in=ids))


# --- the service --------------------------------------------------------------------------------


@transaction.atomic
def target_set(*, user, year, quarter=None, department=None, officer=None, **figures):
    """Create or replace the target of one subject for one period. Refuses a subject outside the
    user's departments (PermissionDenied) and a target with no figure (ValidationError)."""
    if (department is None) == (officer is None):
        raise ValidationError(_("请选择部门或招商人员之一。"))
    if not may_set_target(user, department=department, officer=officer):
        raise PermissionDenied
    values = {name: figures.get(name) for name in METRIC_NAMES}
    if all(v is None for v in values.values()):
        raise ValidationError(_("请至少填写一项目标值。"))
    target, _created = Target.objects.update_or_create(
        year=year,
        quarter=quarter or None,
        department=department,
        officer=officer,
        defaults={**values, "set_by": user},
    )
    return target


@transaction.atomic
def target_delete(*, user, target):
    if not may_set_target(user, department=target.department, officer=target.officer):
        raise PermissionDenied
    target.delete()


# --- progress ------------------------------------------------------------------------------------


def _rate(actual, target):
    if target in (None, 0, Decimal(0)):
        return None
    return round(float(actual) * 100 / float(target), 1)


@dataclass
class Progress:
    """One subject's targets, actual figures and completion rates for one period."""

    target: Target
    name: str
    department_name: str = ""
    actual: dict = field(default_factory=dict)
    metrics: list = field(default_factory=list)

    @property
    def completion(self):
        """The mean completion rate over the measures that have a target (capped at 100 each, so one
        overshoot does not hide another shortfall); None without any."""
        rates = [min(m["rate"], 100.0) for m in self.metrics if m["rate"] is not None]
        return round(sum(rates) / len(rates), 1) if rates else None


def signed_facts(projects, start=None, end=None):
    """Signed projects (签约 or 注册落地) of `projects` grouped by owner, department and signing month:
    [(owner_id, owner last name, owner first name, owner username, department_id, month, n, total)].
    One query; the caller narrows by month in Python (periods are whole months)."""
    qs = projects.filter(stage__in=[Stage.SIGNED, Stage.LANDED])
    if start is not None:
        qs = qs.filter(signed_at__gte=start, signed_at__lte=end)
    return list(
        qs.annotate(month=TruncMonth("signed_at"))
        .values_list("owner_id", "owner__last_name", "owner__first_name", "owner__username", "department_id", "month")
        .annotate(n=Count("pk"), total=Sum("planned_investment"))
        .order_by()
    )


def _of_projects(qs, projects):
    """Narrow `qs` (rows with a `project` key) to `projects`; nothing to narrow when `projects` is
    every project (the ALL scope without a department filter): no semi-join over the whole table."""
    return qs.filter(project__in=projects.values("pk")) if projects.query.where else qs


def stage_facts(projects):
    """({stage: count}, signed facts as `signed_facts` gives them) from ONE pass over `projects`
    grouped by stage, owner, department and signing month, plus one small query for the names of
    the owners of signed projects."""
    rows = list(
        projects.annotate(month=TruncMonth("signed_at"))
        .values_list("stage", "owner_id", "department_id", "month")
        .annotate(n=Count("pk"), total=Sum("planned_investment"))
        .order_by()
    )
    counts, signed = {}, []
    for stage, owner_id, department_id, month, n, total in rows:
        counts[stage] = counts.get(stage, 0) + n
        if stage in (Stage.SIGNED, Stage.LANDED):
            signed.append((owner_id, department_id, month, n, total))
    owners = {o for o, *_rest in signed if o is not None}
    names = {}
    if owners:
        names = {
            pk: (last, first, username)
            for pk, last, first, username in get_user_model()
            .objects.filter(pk__in=owners)
            .values_list("pk", "last_name", "first_name", "username")
        }
    return counts, [(o, *names.get(o, ("", "", "")), d, m, n, t) for o, d, m, n, t in signed]


def funds_facts(projects, start, end):
    """到资 tranches of `projects` dated in [start, end], grouped by the project's owner, department and
    the month: [(owner_id, department_id, month, total)]. One query."""
    return list(
        _of_projects(FundTranche.objects.filter(date__gte=start, date__lte=end), projects)
        .annotate(month=TruncMonth("date"))
        .values_list("project__owner_id", "project__department_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )


def landed_facts(projects, start, end):
    """Projects that FIRST entered 注册落地 in [start, end] (a project moved back and landed again
    counts once, when it first landed): [(owner_id, department_id, n)]. One query."""
    landed = StageChange.objects.filter(to_stage=Stage.LANDED)
    in_period = landed.filter(at__gte=_aware(start), at__lt=_aware(end + datetime.timedelta(days=1)))
    before = landed.filter(at__lt=_aware(start))
    return list(
        projects.filter(pk__in=in_period.values("project_id"))
        .exclude(pk__in=before.values("project_id"))
        .values_list("owner_id", "department_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _in(month, start, end):
    return month is not None and start <= month <= end


def _actuals(start, end, signed, funds, landed):
    """{(owner_id, department_id): {metric: value}} for the period from the three kinds of facts."""
    cells = {}

    def cell(owner_id, department_id):
        return cells.setdefault(
            (owner_id, department_id),
            {"signed_projects": 0, "signed_investment": Decimal(0), "funds_arrived": Decimal(0), "landed_projects": 0},
        )

    first_month = start.replace(day=1)
    for owner_id, _l, _f, _u, department_id, month, n, total in signed:
        if _in(month, first_month, end):
            c = cell(owner_id, department_id)
            c["signed_projects"] += n
            c["signed_investment"] += total or 0
    for owner_id, department_id, month, total in funds:
        if _in(month, first_month, end):
            cell(owner_id, department_id)["funds_arrived"] += total or 0
    for owner_id, department_id, n in landed:
        cell(owner_id, department_id)["landed_projects"] += n
    return cells


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def department_rows(user):
    """Every department, read once per request (cached on the user object like the roles)."""
    cached = getattr(user, "_zs_departments", None)
    if cached is None:
        cached = list(Department.objects.only("pk", "parent_id", "name", "name_en", "code", "is_active"))
        user._zs_departments = cached
    return cached


def tree_index(user):
    """{department id: set of ids of it and every department below it}, from the cached rows."""
    children = {}
    rows = department_rows(user)
    for d in rows:
        children.setdefault(d.parent_id, []).append(d.pk)
    trees = {}
    for d in rows:
        ids, frontier = {d.pk}, [d.pk]
        while frontier:
            frontier = [c for p in frontier for c in children.get(p, ()) if c not in ids]
            ids.update(frontier)
        trees[d.pk] = ids
    return trees


def _department_name(department):
    return (is_english() and department.name_en) or department.name


def progress(*, user, year, quarter=None, department=None, projects=None, facts=None):
    """(department rows, officer rows) of Progress for the period, each ranked by completion (best
    first, subjects without any target last), inside the user's scope and the department filter.

    `projects` is the user's (filtered) project queryset; `facts` the (signed, funds, landed) facts
    when the caller already read them for a wider window (the cockpit shares them between panels).
    """
    start, end = period_bounds(year, quarter)
    trees = tree_index(user)
    filter_ids = trees.get(department.pk, {department.pk}) if department is not None else None
    targets = list(visible_targets(user, year, quarter).select_related("officer__profile__department"))
    if filter_ids is not None:
        targets = [
            t
            for t in targets
            if (t.department_id in filter_ids)
            or (t.officer_id and getattr(getattr(t.officer, "profile", None), "department_id", None) in filter_ids)
        ]
    if not targets:
        return [], []
    if projects is None:
        projects = Project.objects.visible_to(user)
        if filter_ids is not None:
            projects = projects.filter(department_id__in=filter_ids)
    if facts is None:
        facts = (signed_facts(projects, start, end), funds_facts(projects, start, end), None)
    signed, funds, landed = facts
    if landed is None:
        landed = landed_facts(projects, start, end)
    cells = _actuals(start, end, signed, funds, landed)
    departments, officers = [], []
    for target in targets:
        if target.officer_id:
            keys = [k for k in cells if k[0] == target.officer_id]
            profile = getattr(target.officer, "profile", None)
            dept = getattr(profile, "department", None)
            row = Progress(
                target=target,
                name=format_person_name(target.officer.last_name, target.officer.first_name, target.officer.username),
                department_name=_department_name(dept) if dept else "",
            )
            officers.append(row)
        else:
            tree = trees.get(target.department_id, {target.department_id})
            keys = [k for k in cells if k[1] in tree]
            row = Progress(target=target, name=_department_name(target.department))
            departments.append(row)
        for name, label in METRICS:
            actual = sum(
                (cells[k][name] for k in keys), Decimal(0) if name in ("signed_investment", "funds_arrived") else 0
            )
            goal = getattr(target, name)
            row.actual[name] = actual
            rate = _rate(actual, goal)
            row.metrics.append(
                {
                    "name": name,
                    "label": str(label),
                    "target": goal,
                    "actual": actual,
                    "rate": rate,
                    "bar": min(rate, 100.0) if rate is not None else 0,
                    "money": name in ("signed_investment", "funds_arrived"),
                }
            )
    return rank(departments), rank(officers)


def rank(rows):
    """Best completion first; equal completion by name; rows without a rate last."""
    return sorted(rows, key=lambda r: (r.completion is None, -(r.completion or 0), r.name))
