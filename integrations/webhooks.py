"""Signed call-backs to an integration when a complaint it filed is answered or closed.

Save first, send second: `webhook_queue_complaint` writes a `WebhookDelivery` row in the caller's
transaction and asks Celery to send it once that transaction commits. If the broker is down the
row simply waits: the periodic job (`deliver_due_webhooks`, every minute, also
`manage.py deliver_webhooks`) picks up every pending row whose time has come, so nothing is lost
and nothing is scheduled as a far-future ETA. Each attempt is recorded on the row (attempts,
response code, error); failures back off (1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h) until
WEBHOOK_MAX_ATTEMPTS, after which the row is marked failed and can be retried from the admin.

The receiver checks `X-Zhaoshang-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact request
body under the integration's webhook secret, and de-duplicates on `X-Zhaoshang-Delivery`.
The body carries the hotline's ticket id, our reference number and the status — no personal data;
the reply text is fetched with the API (`GET /api/v1/complaints/hotline/<id>/`), which is logged.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import HotlineTicket, Integration, WebhookDelivery

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = [60, 300, 1800, 7200, 21600, 43200, 86400]
LEASE_SECONDS = 120  # a claimed row is left alone this long by other workers
SIGNATURE_HEADER = "X-Zhaoshang-Signature"
DELIVERY_HEADER = "X-Zhaoshang-Delivery"
EVENT_HEADER = "X-Zhaoshang-Event"

EVENTS = {"replied": "complaint.replied", "closed": "complaint.closed"}


def sign(secret, body):
    """`sha256=<hex>` HMAC of the body bytes under the secret (what the receiver recomputes)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret, body, signature):
    return hmac.compare_digest(sign(secret, body), signature or "")


def webhook_queue_complaint(*, complaint, event):
    """Record a call-back for the integration that filed `complaint` (if any) and send it on commit."""
    ticket = HotlineTicket.objects.select_related("integration").filter(complaint_id=complaint.pk).first()
    if ticket is None:
        return None
    integration = ticket.integration
    if not (integration.is_active and integration.webhook_url):
        return None
    now = timezone.now()
    body = {
        "event": EVENTS[event],
        "hotline_id": ticket.hotline_id,
        "reference": complaint.reference,
        "status": complaint.status,
        "occurred_at": now.isoformat(),
    }
    delivery = WebhookDelivery.objects.create(
        integration=integration,
        event=EVENTS[event],
        complaint_id=complaint.pk,
        body=json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        next_attempt_at=now,
    )
    transaction.on_commit(partial(_enqueue, delivery.pk))
    return delivery


def _enqueue(delivery_id):
    from .tasks import deliver_webhook

    try:
        deliver_webhook.delay(delivery_id)
    except Exception:  # noqa: BLE001 - broker down: the row is saved and pending; the periodic job sends it
        logger.warning(
            "webhook delivery %s not queued (broker unavailable); the periodic job will send it", delivery_id
        )


def http_post(url, body, headers, timeout):
    """POST without following redirects. Returns `(status code or None, short error text)`."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - admin-set http(s) URL
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:200]


def webhook_deliver(delivery_id, *, now=None, transport=None):
    """One attempt at one due delivery. Returns the row afterwards, or None if it was not due or taken.

    The row is claimed by moving its next attempt past a lease in one UPDATE, so the on-commit task
    and the periodic job (or two workers) never send the same attempt twice.
    """
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    integration = Integration.objects.get(pk=delivery.integration_id)
    body = delivery.body.encode()
    code, error = None, ""
    if not (integration.webhook_url and integration.webhook_secret):
        error = "未配置回调地址或签名密钥"
    else:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "zhaoshang-webhook/1",
            SIGNATURE_HEADER: sign(integration.webhook_secret, body),
            DELIVERY_HEADER: str(delivery.uuid),
            EVENT_HEADER: delivery.event,
        }
        send = transport or http_post
        code, error = send(integration.webhook_url, body, headers, settings.WEBHOOK_TIMEOUT_SECONDS)
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    delivery.last_status_code = code
    delivery.last_error = "" if code and 200 <= code < 300 else (error or f"HTTP {code}")[:200]
    if code and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = delivery.last_attempt_at
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        logger.warning("webhook delivery %s failed after %s attempts", delivery.pk, delivery.attempts)
        _tell_administrators(delivery, integration)
    else:
        wait = BACKOFF_SECONDS[min(delivery.attempts, len(BACKOFF_SECONDS)) - 1]
        delivery.next_attempt_at = delivery.last_attempt_at + timedelta(seconds=wait)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def _tell_administrators(delivery, integration):
    """A delivery given up on needs a person: the system administrators are notified (ids only)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from clients.models import Role
    from zhaoshang.core.notifications import notify

    admins = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__role__code=Role.Code.ADMIN))
    )
    notify(
        admins.distinct(),
        "webhook_failed",
        delivery,
        {
            "delivery": delivery.pk,
            "event": delivery.event,
            "integration": integration.code,
            "attempts": delivery.attempts,
        },
    )


def deliver_due_webhooks(*, now=None, limit=200, transport=None):
    """Send every pending delivery whose time has come (the periodic job). Returns counts by outcome."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"delivered": 0, "retrying": 0, "failed": 0, "skipped": 0}
    for pk in due:
        delivery = webhook_deliver(pk, now=now, transport=transport)
        if delivery is None:
            counts["skipped"] += 1
        elif delivery.status == WebhookDelivery.Status.DELIVERED:
            counts["delivered"] += 1
        elif delivery.status == WebhookDelivery.Status.FAILED:
            counts["failed"] += 1
        else:
            counts["retrying"] += 1
    return counts


@transaction.atomic
def webhook_retry(*, delivery):
    """Send a failed (or waiting) delivery again at the next run of the job, from the admin console."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=WebhookDelivery.Status.DELIVERED).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    transaction.on_commit(partial(_enqueue, delivery.pk))
