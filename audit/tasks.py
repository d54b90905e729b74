"""Periodic audit jobs (CELERY_BEAT_SCHEDULE). Each is also a management command of the same name."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import anomalies, sealing, services


@shared_task(ignore_result=True)
def seal_audit_trail():
    """Seal new log, access and redaction entries into their hash chains (every 10 minutes)."""
    return sealing.seal_all()


@shared_task(ignore_result=True)
def detect_anomalies(day=None):
    """Yesterday's anomalies by default (`day`: an ISO date string). Idempotent."""
    day = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(days=1)
    return anomalies.detect_anomalies(day)


@shared_task(ignore_result=True)
def remind_overdue_rectifications():
    """Remind the owners of overdue rectification actions, once per action per day."""
    return services.rectifications_remind_overdue()
