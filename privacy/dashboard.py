"""The privacy officer's dashboard panel: requests due, consent renewals, purges, anomalies, holds.

Registered in PrivacyConfig.ready() with zhaoshang.core.dashboard; shown to the privacy officer
only (other roles have their own panels). A handful of counts, each one indexed query.
"""

import datetime

from django.utils import timezone

from clients.roles import has_role
from zhaoshang.core.calendar import add_working_days

DUE_SOON_WORKING_DAYS = 3
OVERDUE_LIST = 5


def privacy_officer_panel(request):
    user = request.user
    if not getattr(user, "is_authenticated", False) or not has_role(user, "privacy_officer"):
        return None
    from audit.models import Anomaly
    from privacy.consent.models import ConsentState
    from privacy.requests.models import RequestKind, SubjectRequest
    from privacy.retention.models import LegalHold, PurgeRun

    today = timezone.localdate()
    open_requests = SubjectRequest.objects.running()  # [H] paused and unverified requests' clocks are stopped
    last_run = PurgeRun.objects.filter(dry_run=False).order_by("-id").first()
    return {
        "template": "privacy/_dashboard_panel.html",
        "order": 40,
        "requests_overdue": open_requests.filter(due_date__lt=today).count(),
        "requests_due_soon": open_requests.filter(
            due_date__gte=today, due_date__lte=add_working_days(today, DUE_SOON_WORKING_DAYS)
        ).count(),
        "requests_open": SubjectRequest.objects.open().count(),
        "requests_unverified": SubjectRequest.objects.unverified().count(),
        # [H] the overdue list: the five most overdue (ids, kinds and dates only)
        "requests_overdue_list": [
            {"pk": pk, "kind": RequestKind(kind).label, "due_date": due}
            for pk, kind, due in SubjectRequest.objects.overdue(today)
            .order_by("due_date", "pk")
            .values_list("pk", "kind", "due_date")[:OVERDUE_LIST]
        ],
        "renewals": ConsentState.objects.filter(granted=True, needs_renewal=True).count(),
        "last_run": last_run,
        "anomalies": Anomaly.objects.filter(day__gte=today - datetime.timedelta(days=7), finding__isnull=True).count(),
        "holds": LegalHold.objects.active().count(),
    }
