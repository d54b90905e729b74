"""Call-backs to the hotline when a complaint it filed is answered or closed: signed, recorded,
retried with backoff, never lost when the broker is down. A local HTTP server on 127.0.0.1 plays
the hotline and verifies each signature with the secret the admin console gave it."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from clients.models import Department
from complaints import services as complaint_services
from complaints.models import Complaint
from integrations import services, webhooks
from integrations.models import WebhookDelivery


class Receiver:
    """The hotline's end: verifies the signature, answers with the next scripted status."""

    def __init__(self):
        self.secret = ""
        self.statuses = []
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = webhooks.verify(receiver.secret, body, self.headers.get("X-Zhaoshang-Signature"))
                receiver.received.append(
                    {"body": json.loads(body), "delivery": self.headers.get("X-Zhaoshang-Delivery"), "signed": ok}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status if ok else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def hotline(make_integration, receiver):
    integration = make_integration("complaint_handler", "yshj", scopes=["complaints:intake"], code="hotline")
    integration.webhook_url = receiver.url
    integration.save(update_fields=["webhook_url"])
    receiver.secret = services.webhook_secret_rotate(integration=integration)
    return integration


@pytest.fixture
def answered(hotline, api, handler, django_capture_on_commit_callbacks, monkeypatch):
    """A hotline complaint taken through to 已答复; the on-commit enqueue is captured, not run."""
    response = api(hotline).post(
        "/api/v1/complaints/hotline/",
        {"hotline_id": "GD-1", "kind": "complaint", "category": "approval", "description": "审批超时，请督促。"},
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    yshj = Department.objects.get(code="yshj")
    complaint_services.complaint_assign(complaint=complaint, actor=handler, department=yshj, handler=handler)
    complaint_services.complaint_start(complaint=complaint, actor=handler)
    with django_capture_on_commit_callbacks() as callbacks:
        complaint_services.complaint_reply(complaint=complaint, actor=handler, text="已办理。")
    complaint.callbacks = callbacks
    return complaint


def test_reply_records_a_delivery_that_reaches_the_hotline_signed(answered, receiver):
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status, delivery.attempts) == ("complaint.replied", "pending", 0)
    assert "已办理" not in delivery.body  # ids and status only, never the text
    webhooks.webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    (call,) = receiver.received
    assert call["signed"] is True
    assert call["delivery"] == str(delivery.uuid)
    assert call["body"]["hotline_id"] == "GD-1" and call["body"]["status"] == "replied"
    assert call["body"]["reference"] == answered.reference


def test_a_failed_delivery_is_retried_with_backoff_by_the_periodic_job(answered, receiver):
    receiver.statuses = [500]
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    assert webhooks.deliver_due_webhooks(now=now)["retrying"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == delivery.last_attempt_at + timedelta(seconds=webhooks.BACKOFF_SECONDS[0])
    assert webhooks.deliver_due_webhooks(now=now + timedelta(seconds=30)) == {
        "delivered": 0,
        "retrying": 0,
        "failed": 0,
        "skipped": 0,
    }
    assert webhooks.deliver_due_webhooks(now=delivery.next_attempt_at + timedelta(seconds=1))["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [c["delivery"] for c in receiver.received] == [str(delivery.uuid)] * 2  # same id: the receiver de-duplicates
    assert all(c["signed"] for c in receiver.received)


def test_a_wrong_secret_fails_verification_at_the_receiver(answered, receiver):
    receiver.secret = "the hotline holds another secret"
    webhooks.webhook_deliver(WebhookDelivery.objects.get().pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 401
    assert receiver.received[0]["signed"] is False


def test_an_unreachable_hotline_is_recorded_and_given_up_after_the_maximum(answered, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    answered_hotline = WebhookDelivery.objects.get().integration
    answered_hotline.webhook_url = "http://127.0.0.1:9/closed"
    answered_hotline.save(update_fields=["webhook_url"])
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code is None and delivery.last_error
    webhooks.webhook_deliver(delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    from zhaoshang.core.notifications.models import Notification

    notice = Notification.objects.get(kind="webhook_failed")
    assert notice.user.username == "admin" and notice.params["delivery"] == delivery.pk
    webhooks.webhook_retry(delivery=delivery)  # the admin's 立即重新推送
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_broker_down_loses_nothing(answered, receiver, monkeypatch, caplog):
    from integrations import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_webhook, "delay", refuse)
    (callback,) = answered.callbacks
    callback()  # what the commit would run: the enqueue fails, the row stays pending
    assert "periodic job" in caplog.text
    assert WebhookDelivery.objects.get().status == "pending"
    assert webhooks.deliver_due_webhooks()["delivered"] == 1
    assert receiver.received[0]["signed"]


def test_the_on_commit_task_sends_the_delivery(answered, receiver, monkeypatch):
    from integrations import tasks

    monkeypatch.setattr(tasks.deliver_webhook, "delay", lambda pk: tasks.deliver_webhook(pk))
    (callback,) = answered.callbacks
    callback()
    assert WebhookDelivery.objects.get().status == "delivered"
    assert webhooks.deliver_due_webhooks()["delivered"] == 0  # nothing left, nothing sent twice
    assert len(receiver.received) == 1


def test_closing_sends_a_closed_event(answered, handler):
    complaint_services.complaint_close(complaint=answered, actor=handler)
    assert list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True)) == [
        "complaint.replied",
        "complaint.closed",
    ]


def test_complaints_not_filed_by_an_integration_send_nothing(handler, org):
    from complaints.models import ComplaintCategory, ComplaintKind

    complaint, _secret = complaint_services.complaint_submit(
        kind=ComplaintKind.objects.get(code="complaint"),
        category=ComplaintCategory.objects.get(code="approval"),
        description="网上表单提交的投诉。",
        channel="web",
    )
    yshj = Department.objects.get(code="yshj")
    complaint_services.complaint_assign(complaint=complaint, actor=handler, department=yshj, handler=handler)
    complaint_services.complaint_start(complaint=complaint, actor=handler)
    complaint_services.complaint_reply(complaint=complaint, actor=handler, text="已答复。")
    assert not WebhookDelivery.objects.exists()
