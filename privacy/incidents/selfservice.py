"""The incident notices shown at the top of a person's self-service page (PIPL Art. 57).

The page is one prepared statement (privacy/selfservice/prepared.py) whatever the person holds;
to keep it so for the people an incident never touched, sending a notice sets a flag per person
in the cache (no expiry) and the page reads the notices only when the flag is there. The periodic
reminder job sets the flags again from the database (`notice_flags_refresh`), so a flushed cache
loses a notice for at most one run.
"""

import logging

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .models import Incident, NoticeChannel

logger = logging.getLogger(__name__)
FLAG = "incident-notice:{}"
TITLE = _("个人信息安全事件告知")


def notice_flags_set(contact_ids):
    try:
        cache.set_many({FLAG.format(pk): 1 for pk in contact_ids}, timeout=None)
    except Exception as exc:  # noqa: BLE001 - any cache failure: the periodic job sets the flags again
        logger.warning("incident notice flags not set: cache unavailable (%s)", type(exc).__name__)


def _flagged(contact_id):
    """True when a notice may be waiting for the person; True also when the cache cannot be
    reached, so that a notice is read from the database rather than hidden."""
    try:
        return bool(cache.get(FLAG.format(contact_id)))
    except Exception as exc:  # noqa: BLE001 - any cache failure: read the database instead
        logger.warning("incident notice flag not read: cache unavailable (%s)", type(exc).__name__)
        return True


def notice_flags_refresh():
    from .models import IncidentNotification

    ids = IncidentNotification.objects.filter(channel=NoticeChannel.SELFSERVICE).values_list("contact_id", flat=True)
    ids = list(ids.distinct())
    for start in range(0, len(ids), 5000):
        notice_flags_set(ids[start : start + 5000])
    return len(ids)


def incident_notices(contact):
    """Display rows of the notices sent to `contact` (newest first); [] without a query when none."""
    if not _flagged(contact.pk):
        return []
    field = Incident._meta.get_field
    labels = {
        "data_kinds": field("notice_data_kinds").verbose_name,
        "cause": field("notice_cause").verbose_name,
        "harm": field("notice_harm").verbose_name,
        "measures": field("notice_measures").verbose_name,
        "advice": field("notice_advice").verbose_name,
        "contact": field("notice_contact").verbose_name,
    }
    incidents = Incident.objects.filter(
        notifications__contact_id=contact.pk, notifications__channel=NoticeChannel.SELFSERVICE
    ).distinct()
    return [
        {
            "reference": i.reference,
            "title": TITLE,
            "labels": labels,
            "data_kinds": i.notice_data_kinds,
            "cause": i.notice_cause,
            "harm": i.notice_harm,
            "measures": i.notice_measures,
            "advice": i.notice_advice,
            "contact": i.notice_contact,
        }
        for i in incidents.order_by("-detected_at")
    ]
