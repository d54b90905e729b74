"""Reminders of case work picked up daily from the database (not scheduled ahead).

`followups_notify_overdue`: the owner of a project whose planned next contact date has passed is
told once per date (`once_key`), through the one notification mechanism. Only dates of the last
`FOLLOWUP_OVERDUE_WINDOW_DAYS` count, so the first run does not flood people with old ones; the
dashboard's overdue panel keeps listing them all.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from zhaoshang.core.notifications import notify

from .models import FollowUp

FOLLOWUP_OVERDUE_WINDOW_DAYS = 7


def followups_notify_overdue(*, today=None):
    """Notify owners of overdue follow-ups, once per project and date. Returns notifications written."""
    today = today or timezone.localdate()
    rows = (
        FollowUp.objects.overdue(today)
        .filter(
            next_contact_date__gte=today - datetime.timedelta(days=FOLLOWUP_OVERDUE_WINDOW_DAYS),
            project__owner__isnull=False,
            project__owner__is_active=True,
        )
        .select_related(None)
        .select_related("project__owner")
        .only("id", "next_contact_date", "project__id", "project__owner")
        .order_by("pk")
    )
    written = 0
    for followup in rows.iterator(chunk_size=500):
        project = followup.project
        date = followup.next_contact_date
        with transaction.atomic():
            written += len(
                notify(
                    [project.owner],
                    "followup_overdue",
                    project,
                    {"project": project.pk, "date": date},
                    once_key=f"{date:%Y-%m-%d}",
                )
            )
    return written
