"""What the requester is told (pause, extension, refusal, outcome): a short text to the recorded
mobile (through the SMS backend, when one is configured) or else the recorded e-mail, sent after the
transaction commits. The same text is on the request's timeline and the self-service page."""

import logging

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def recorded_channels(subject_request):
    """(mobile, e-mail) recorded for the request's person, read now (before an erasure blanks them)."""
    contact = subject_request.contact
    if contact is None:
        return ("", "")
    try:
        return (str(contact.mobile or ""), str(contact.email or ""))
    except Exception:  # noqa: BLE001 - a shredded key: nobody left to tell
        return ("", "")


def _send(pk, text, number, address):
    from privacy.sms import get_sms_backend, sms_configured
    from zhaoshang.core.mail import send_email

    try:
        if number and sms_configured() and get_sms_backend().send(number, f"【{settings.ZONE_NAME}】{text}"):
            return
        if address:
            send_email(
                "privacy/email/request_notice",
                {"text": text, "pk": pk, "officer_contact": settings.PRIVACY_OFFICER_CONTACT},
                [address],
            )
    except Exception as exc:  # noqa: BLE001 - the answer stays on the page; never a 500 after the commit
        logger.warning("subject request %s: notice not sent (%s)", pk, type(exc).__name__)


def tell_requester(subject_request, text, *, channels=None):
    number, address = channels or recorded_channels(subject_request)
    pk = subject_request.pk
    transaction.on_commit(lambda: _send(pk, str(text), number, address))
