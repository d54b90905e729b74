"""领导驾驶舱: the case panels on one page."""

from django.shortcuts import render

from ..dashboard import funnel_panel, ranking_panel, signed_panel
from .common import require_perm


def cockpit(request):
    require_perm(request.user, "clients.view_project")
    panels = [p for p in (f(request) for f in (funnel_panel, signed_panel, ranking_panel)) if p]
    return render(request, "clients/cockpit.html", {"panels": panels})
