"""Dashboard tile for complaints: the office's queue (awaiting assignment, due soon, overdue, open)
and a handler's own (mine, due soon, overdue): counts in one query."""

from django.db.models import Count, Q
from django.utils import timezone

from zhaoshang.core.calendar import add_working_days

from .access import is_office
from .models import Complaint, Status

# Waiting for the office to hand them to a department: new, returned by a department, or to redo.
AWAITING_STATUSES = [Status.RECEIVED, Status.RETURNED]

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
    office = is_office(user)
    counts = qs.aggregate(
        mine=Count("pk", filter=Q(handler=user)),
        awaiting=Count("pk", filter=Q(status__in=AWAITING_STATUSES, handler__isnull=True)),
        open=Count("pk"),
        soon=Count("pk", filter=Q(resolution_due__gte=today, resolution_due__lte=soon)),
        overdue=Count("pk", filter=Q(resolution_due__lt=today)),
    )
    if not office and not counts["mine"]:
        return None  # officers with nothing assigned see no complaint tile
    return {"template": "complaints/_dashboard_panel.html", "order": 30, "office": office, **counts}
