"""The record of processing activities: a page, and an xlsx export that keeps a dated snapshot.

The privacy officer and auditors (permission privacy.view_ropasnapshot) see it; anyone else 404.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .models import RopaSnapshot


def _require(user):
    if not user.has_perm("privacy.view_ropasnapshot"):
        raise Http404


def ropa_page(request):
    _require(request.user)
    record = services.ropa_build()
    return render(
        request,
        "privacy/ropa/page.html",
        {
            "sheets": [(code, record[code]) for code in services.SHEETS],
            "snapshots": RopaSnapshot.objects.select_related("taken_by")[:10],
        },
    )


@never_cache
@require_POST
def ropa_export(request):
    _require(request.user)
    snapshot, data = services.ropa_export(user=request.user)
    response = HttpResponse(data, content_type=services.XLSX)
    stamp = timezone.localtime(snapshot.taken_at)
    response["Content-Disposition"] = f'attachment; filename="ropa-{stamp:%Y%m%d-%H%M}.xlsx"'
    return response
