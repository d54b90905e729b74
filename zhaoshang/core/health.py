"""Is background work running? The worker's heartbeat and the age of the oldest queued job.

Beat sends `zhaoshang.core.tasks.heartbeat` every minute and a worker records it here; a stale
heartbeat means beat or every worker is down. A job (an import, a purge) queued for longer than
QUEUED_JOB_MAX_AGE_SECONDS means the queue is not being worked. /healthz reports both and the
portal shows administrators and the privacy officer a banner while either holds.
"""

import time

from django.apps import apps
from django.conf import settings
from django.db.models import Min
from django.utils import timezone

WORKER = "worker"
# (model label, filter of a queued row, its time of queueing): the jobs a worker should pick up.
QUEUED_JOBS = [
    ("clients.ImportBatch", {"status": "queued"}, "created_at"),
    ("privacy.PurgeRun", {"status": "pending"}, "created_at"),
]
_BANNER_CACHE_SECONDS = 30
_banner = {"at": 0.0, "value": None}


def heartbeat_record(now=None):
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=WORKER, defaults={"at": now or timezone.now()})


def oldest_queued_seconds(now=None):
    """Seconds the oldest queued job has waited, or None when nothing is queued."""
    now = now or timezone.now()
    oldest = None
    for label, queued, field in QUEUED_JOBS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        at = model.objects.filter(**queued).aggregate(oldest=Min(field))["oldest"]
        if at is not None and (oldest is None or at < oldest):
            oldest = at
    return None if oldest is None else max(0, int((now - oldest).total_seconds()))


def worker_status(now=None):
    """{"worker": inline | ok | stale | never, "worker_heartbeat_age": s, "oldest_queued_seconds": s}."""
    from .models import Heartbeat

    now = now or timezone.now()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"worker": "inline", "worker_heartbeat_age": None, "oldest_queued_seconds": None}
    beat = Heartbeat.objects.filter(name=WORKER).values_list("at", flat=True).first()
    age = None if beat is None else max(0, int((now - beat).total_seconds()))
    if age is None:
        state = "never"
    else:
        state = "ok" if age <= settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS else "stale"
    return {"worker": state, "worker_heartbeat_age": age, "oldest_queued_seconds": oldest_queued_seconds(now)}


def is_stalled(status):
    queued = status["oldest_queued_seconds"]
    return status["worker"] in ("stale", "never") or (
        queued is not None and queued > settings.QUEUED_JOB_MAX_AGE_SECONDS
    )


def background_stalled():
    """For the banner: the status when background work is stalled, else None (cached 30 s per process)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    if time.monotonic() - _banner["at"] > _BANNER_CACHE_SECONDS:
        status = worker_status()
        if is_stalled(status):
            minutes = {
                "heartbeat_minutes": (status["worker_heartbeat_age"] or 0) // 60,
                "queued_minutes": (status["oldest_queued_seconds"] or 0) // 60,
            }
            _banner["value"] = {**status, **minutes}
        else:
            _banner["value"] = None
        _banner["at"] = time.monotonic()
    return _banner["value"]


def reset_banner_cache():
    _banner["at"] = 0.0
