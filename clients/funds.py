"""到资 tranches and milestone plans: the services that write them and the figures read from them.

A tranche (date, amount in 万元, evidence note) is recorded on a project by whoever may change the
project; the change trail (clients.audit) keeps who recorded what. The planned date (and, for 到资, the
planned amount) of 开工 / 到资 / 投产 is compared with the actual one: the first milestone of that
kind for 开工 and 投产, and the tranches for 到资 (their sum; the date the plan's amount was reached).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FundTranche, Milestone, MilestonePlan
from .scopes import can_write


@transaction.atomic
def fund_tranche_add(*, user, project, date, amount, evidence_note):
    if not (can_write(user, project) and user.has_perm("clients.add_fundtranche")):
        raise PermissionDenied(_("您没有修改该项目的权限。"))
    if amount is None or amount <= 0:
        raise ValidationError(_("到位金额须大于零。"))
    if date > timezone.localdate():
        raise ValidationError(_("到账日期不能晚于今天。"))
    if not (evidence_note or "").strip():
        raise ValidationError(_("请填写凭证说明（如银行回单编号）。"))
    return FundTranche.objects.create(
        project=project, date=date, amount=amount, evidence_note=evidence_note.strip(), recorded_by=user
    )


@transaction.atomic
def milestone_plan_set(*, user, project, kind, planned_date, planned_amount=None):
    if not (can_write(user, project) and user.has_perm("clients.change_milestoneplan")):
        raise PermissionDenied(_("您没有修改该项目的权限。"))
    if kind != Milestone.Kind.FUNDING:
        planned_amount = None
    plan, _created = MilestonePlan.objects.update_or_create(
        project=project,
        kind=kind,
        defaults={"planned_date": planned_date, "planned_amount": planned_amount, "set_by": user},
    )
    return plan


def funds_total(project):
    return project.fund_tranches.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def plan_vs_actual(project, tranches, milestones):
    """One row per milestone kind: planned date/amount, actual date/amount, and whether it is late.
    `tranches` and `milestones` are the project's, already loaded (no query here)."""
    plans = {p.kind: p for p in project.milestone_plans.all()}
    first = {}
    for m in sorted(milestones, key=lambda m: m.date):
        first.setdefault(m.kind, m)
    today = timezone.localdate()
    rows = []
    for kind, label in Milestone.Kind.choices:
        plan = plans.get(kind)
        actual_date = first[kind].date if kind in first else None
        actual_amount = None
        if kind == Milestone.Kind.FUNDING:
            running = Decimal(0)
            actual_amount = sum((t.amount for t in tranches), Decimal(0))
            reached = None
            goal = plan.planned_amount if plan and plan.planned_amount else None
            for t in sorted(tranches, key=lambda t: (t.date, t.pk)):
                running += t.amount
                if goal is not None and reached is None and running >= goal:
                    reached = t.date
            if goal is not None:
                actual_date = reached
            elif tranches and actual_date is None:
                actual_date = max(t.date for t in tranches)
        planned_date = plan.planned_date if plan else None
        late = bool(planned_date and (actual_date or today) > planned_date)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "planned_date": planned_date,
                "planned_amount": plan.planned_amount if plan else None,
                "actual_date": actual_date,
                "actual_amount": actual_amount,
                "late": late,
            }
        )
    return rows


def funds_by_month(projects, start, end):
    """{"YYYY-MM": total 万元} of the tranches of `projects` (a queryset) dated in [start, end]."""
    rows = (
        FundTranche.objects.filter(date__gte=start, date__lte=end, project__in=projects.values("pk"))
        .annotate(month=TruncMonth("date"))
        .values_list("month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {month.strftime("%Y-%m"): total for month, total in rows}


def month_start(day, back):
    y, m = day.year, day.month - back
    while m <= 0:
        m += 12
        y -= 1
    return datetime.date(y, m, 1)
