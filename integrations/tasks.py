"""Webhook deliveries: one attempt on commit, and the periodic job that sends whatever is due.

Both take ids only and call `integrations.webhooks`; running either twice sends nothing twice
(a delivery is claimed with a lease before it is sent).
"""

from celery import shared_task

from . import webhooks


@shared_task(ignore_result=True)
def deliver_webhook(delivery_id):
    webhooks.webhook_deliver(delivery_id)


@shared_task(ignore_result=True)
def deliver_due_webhooks():
    return webhooks.deliver_due_webhooks()
