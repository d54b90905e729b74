"""领导驾驶舱: the case panels on one page, with the period and department filters ([L])."""

from django.shortcuts import render

from ..dashboard import cockpit_filters, funnel_panel, ranking_panel, signed_panel, targets_panel
from .common import require_perm


def cockpit(request):
    require_perm(request.user, "clients.view_project")
    filters = cockpit_filters(request)
    panels = [p for p in (f(request) for f in (targets_panel, funnel_panel, signed_panel, ranking_panel)) if p]
    return render(
        request,
        "clients/cockpit.html",
        {"panels": panels, "filter_form": filters["form"], "may_filter": request.user.has_perm("clients.view_target")},
    )
