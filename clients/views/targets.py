"""[L] 考核 targets: the page that lists them with progress and takes new ones, and the Excel export."""

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.access import record_access

from .. import targets as svc
from ..forms_targets import PeriodForm, TargetForm
from ..resources import neutralise
from .common import require_perm


def _period(request):
    choices = svc.filter_departments(request.user)
    form = PeriodForm(request.GET or None, departments=choices or None)
    year, quarter, department_id = form.period()
    return form, (year, quarter, svc.department_by_id(request.user, department_id) if department_id else None)


@require_http_methods(["GET", "POST"])
def target_list(request):
    require_perm(request.user, "clients.view_target")
    period_form, (year, quarter, department) = _period(request)
    may_enter = request.user.has_perm("clients.add_target") and bool(svc.target_department_ids(request.user))
    entry = None
    if may_enter:
        entry = TargetForm(
            request.POST or None,
            initial={"year": year, "quarter": quarter},
            departments=svc.target_departments(request.user),
            officers=svc.target_officers(request.user),
        )
    if request.method == "POST":
        if entry is None:
            raise PermissionDenied
        if entry.is_valid():
            data = entry.cleaned_data
            try:
                svc.target_set(user=request.user, **{k: data[k] for k in entry.Meta.fields})
            except ValidationError as exc:
                entry.add_error(None, exc)
            else:
                messages.success(request, _("考核目标已保存。"))
                query = f"?year={data['year']}" + (f"&quarter={data['quarter']}" if data["quarter"] else "")
                return redirect(request.path + query)
    departments, officers = svc.progress(user=request.user, year=year, quarter=quarter, department=department)
    return render(
        request,
        "clients/targets.html",
        {
            "period_form": period_form,
            "period_label": svc.period_label(year, quarter),
            "year": year,
            "quarter": quarter,
            "department_rows": departments,
            "officer_rows": officers,
            "entry_form": entry,
            "may_export": request.user.has_perm("clients.export_target"),
            "query": request.GET.urlencode(),
        },
    )


def target_export(request):
    """考核 progress of the period as .xlsx: every cell formula-safe, the sheet named in the reader's language."""
    require_perm(request.user, "clients.export_target")
    _form, (year, quarter, department) = _period(request)
    departments, officers = svc.progress(user=request.user, year=year, quarter=quarter, department=department)
    headers = [_("类别"), _("名称"), _("部门"), _("完成率（%）")]
    for _name, label in svc.METRICS:
        headers += [f"{label} - {_('目标')}", f"{label} - {_('完成')}", f"{label} - {_('完成率（%）')}"]
    title = "".join(ch for ch in f"{_('考核目标')} {svc.period_label(year, quarter)}" if ch not in "[]:*?/\\")[:31]
    dataset = tablib.Dataset(headers=[neutralise(h) for h in headers], title=title)
    for kind, rows in ((_("部门"), departments), (_("招商人员"), officers)):
        for row in rows:
            cells = [kind, row.name, row.department_name, row.completion]
            for m in row.metrics:
                cells += [
                    float(m["target"]) if m["target"] is not None else None,
                    float(m["actual"]),
                    m["rate"],
                ]
            dataset.append([neutralise(c) for c in cells])
    record_access(
        request.user,
        "export",
        purpose=_("考核目标导出"),
        row_count=len(dataset),
        detail={"kind": "targets", "year": year, "quarter": quarter, "department": getattr(department, "pk", None)},
        request=request,
    )
    response = HttpResponse(
        dataset.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="targets-{year}{f"Q{quarter}" if quarter else ""}-{stamp}.xlsx"'
    )
    response["Cache-Control"] = "no-store, private"
    return response
