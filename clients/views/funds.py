"""[L] 到资 tranches and milestone plans on the project page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import funds
from ..forms_targets import FundTrancheForm, MilestonePlanForm
from ..scopes import get_project_for_user
from .common import require_perm


def _form_errors(form):
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def funds_context(user, project, writable):
    """What the project page shows of funds: tranches, their total, planned against actual, and
    the two forms for whoever may change the project. Three queries."""
    if not user.has_perm("clients.view_fundtranche"):
        return {}
    tranches = list(project.fund_tranches.select_related("recorded_by").order_by("-date", "-pk"))
    milestones = list(project.milestones.all())
    may_record = writable and user.has_perm("clients.add_fundtranche")
    return {
        "tranches": tranches,
        "tranches_total": sum((t.amount for t in tranches), 0),
        "plan_rows": funds.plan_vs_actual(project, tranches, milestones),
        "tranche_form": FundTrancheForm(prefix="tranche") if may_record else None,
        "plan_form": MilestonePlanForm(prefix="plan") if may_record else None,
    }


@require_POST
def project_tranche_add(request, pk):
    require_perm(request.user, "clients.add_fundtranche")
    project = get_project_for_user(request.user, pk, write=True)
    form = FundTrancheForm(request.POST, prefix="tranche")
    if form.is_valid():
        try:
            funds.fund_tranche_add(user=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("到位资金已记录。"))
    else:
        messages.error(request, _form_errors(form))
    return redirect(project)


@require_POST
def project_plan_set(request, pk):
    require_perm(request.user, "clients.add_milestoneplan", "clients.change_milestoneplan")
    project = get_project_for_user(request.user, pk, write=True)
    form = MilestonePlanForm(request.POST, prefix="plan")
    if form.is_valid():
        funds.milestone_plan_set(user=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("节点计划已保存。"))
    else:
        messages.error(request, _form_errors(form))
    return redirect(project)
