"""Helpers for enqueueing Celery tasks the house way (ids only, after the commit), and the core's
periodic job: the daily notification digest (also a management command)."""

from celery import shared_task
from django.db import transaction


def enqueue(task, *args, **kwargs):
    """Send `task` once the surrounding transaction commits (at once when there is none).

    Arguments must be ids and plain flags: never a model instance and never a personal value,
    because task arguments are written to the broker and to worker logs.
    """
    for value in list(args) + list(kwargs.values()):
        if not isinstance(value, (int, str, bool, type(None), list, tuple)):
            raise TypeError(f"Celery task arguments must be ids or plain flags, not {type(value)!r}")
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


@shared_task(ignore_result=True)
def send_notification_digests():
    """The daily digest e-mails (also `manage.py send_notification_digest`). Idempotent."""
    from .notifications.services import notifications_digest_send

    return notifications_digest_send()
