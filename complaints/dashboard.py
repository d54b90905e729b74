"""Dashboard tiles for complaint handlers: my queue, due soon, overdue (three counts, one query)."""

from django.db.models import Count, Q
from django.utils import timezone

from zhaoshang.core.calendar import add_working_days

from .access import is_office
from .models import Complaint

DUE_SOON_WORKING_DAYS = 3


def handler_panel(request):
    user = request.user
    if not user.is_authenticated or not user.has_perm("complaints.view_complaint"):
        return None
    qs = Complaint.objects.visible_to(user).open()
    if not is_office(user):
        qs = qs.filter(handler=user)
    today = timezone.localdate()
    soon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    counts = qs.aggregate(
        mine=Count("pk", filter=Q(handler=user)),
        soon=Count("pk", filter=Q(resolution_due__gte=today, resolution_due__lte=soon)),
        overdue=Count("pk", filter=Q(resolution_due__lt=today)),
    )
    if not is_office(user) and not any(counts.values()):
        return None  # officers with nothing assigned see no complaint tile
    return {"template": "complaints/_dashboard_panel.html", "order": 30, **counts}
