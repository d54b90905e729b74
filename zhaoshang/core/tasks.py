"""Enqueueing Celery tasks the house way, the worker's heartbeat and the daily notification digest.

Tasks take ids, never objects or personal values; they are sent after the transaction that saved
their record commits, and a failure to send them never loses that record: it stays, in a state the
page shows as "not started — retry", and the failure is logged.
"""

import logging

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)

# Publishing to a broker that is down fails at once instead of retrying for several seconds while
# the person waits for the page: a quick second try, then the record's "not started" state.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _check_arguments(args, kwargs):
    for value in list(args) + list(kwargs.values()):
        if not isinstance(value, (int, str, bool, type(None), list, tuple)):
            raise TypeError(f"Celery task arguments must be ids or plain flags, not {type(value)!r}")


def send_now(task, *args, **kwargs):
    """Send `task` at once; True when the broker took it, False (logged) when it could not be reached.

    Without a broker (CELERY_TASK_ALWAYS_EAGER) the task runs inline and its own errors propagate.
    """
    _check_arguments(args, kwargs)
    if task.app.conf.task_always_eager:
        task.apply_async(args, kwargs)
        return True
    try:
        task.apply_async(args, kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # noqa: BLE001 - broker unreachable (kombu/redis errors): the caller keeps the record
        logger.warning("task %s not enqueued: broker unavailable (%s)", task.name, type(exc).__name__)
        return False
    return True


def enqueue(task, *args, on_failure=None, **kwargs):
    """Send `task` once the surrounding transaction commits (at once when there is none).

    Arguments must be ids and plain flags: never a model instance and never a personal value,
    because task arguments are written to the broker and to worker logs. When the broker cannot be
    reached, `on_failure()` (if given) records that on the saved row, e.g. as "not started".
    """
    _check_arguments(args, kwargs)

    def send():
        if not send_now(task, *args, **kwargs) and on_failure is not None:
            on_failure()

    transaction.on_commit(send)


@shared_task(ignore_result=True)
def heartbeat():
    """Run by a worker every minute from beat: proof that beat and at least one worker are alive."""
    from .health import heartbeat_record

    heartbeat_record()


@shared_task(ignore_result=True)
def send_notification_digests():
    """The daily digest e-mails (also `manage.py send_notification_digest`). Idempotent."""
    from .notifications.services import notifications_digest_send

    return notifications_digest_send()


@shared_task(ignore_result=True)
def clear_expired_sessions():
    """Delete expired sessions (they may hold a wrapped import-spool key). Periodic; the command is
    Django's own `manage.py clearsessions`."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task(ignore_result=True)
def compact_tallies():
    """Fold the rows that the tally triggers insert per change (zhaoshang/core/tallies.py). Periodic."""
    from .tallies import compact_all

    compact_all()
