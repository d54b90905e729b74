"""Follow-up records (跟进记录) of a project."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import FollowUpForm
from ..scopes import get_project_for_user
from .common import require_perm


@require_http_methods(["GET", "POST"])
def followup_create(request, project_pk):
    require_perm(request.user, "clients.add_followup")
    project = get_project_for_user(request.user, project_pk, write=True)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.followup_create(user=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("跟进记录已保存。"))
        return redirect(project)
    return render(request, "clients/followup_form.html", {"form": form, "project": project})
