"""Data-subject request services: recording a request with its due date. Processing comes with [H]."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy.consent.models import Channel
from privacy.consent.services import ConsentError

from .models import RequestKind, SubjectRequest


def subject_request_due(received_at):
    from zhaoshang.core.calendar import add_working_days

    return add_working_days(received_at, settings.SUBJECT_REQUEST_DEADLINE_WORKING_DAYS)


@transaction.atomic
def subject_request_create(*, contact, kind, channel=Channel.SELFSERVICE, details="", user=None):
    """Record a request (access/copy, correction, deletion, …) with its due date. Processed later."""
    if kind not in RequestKind.values:
        raise ConsentError(_("不支持的请求类型。"))
    now = timezone.now()
    return SubjectRequest.objects.create(
        contact=contact,
        kind=kind,
        channel=channel,
        details=(details or "").strip()[:5000],
        received_at=now,
        due_date=subject_request_due(now),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


from .erasure import ErasureRefused, contact_erase  # noqa: E402,F401
