"""Is background work running? The worker's heartbeat and the age of the oldest queued job.

Beat sends `zhaoshang.core.tasks.heartbeat` every minute and a worker records it here; a stale
heartbeat means beat or every worker is down. A job (an import, a purge) queued for longer than
QUEUED_JOB_MAX_AGE_SECONDS means the queue is not being worked. /healthz reports both and the
portal shows administrators and the privacy officer a banner while either holds.
"""

import datetime
import time

from django.apps import apps
from django.conf import settings
from django.db import connection
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


def _snapshot():
    """(time of the last heartbeat or None, time the oldest queued job was queued or None), read in
    one statement: the banner asks on every admin page (at most every 30 s per process)."""
    from .models import Heartbeat

    beat = Heartbeat.objects.filter(name=WORKER).values("at")[:1]
    parts, params = [], []
    for sub in [beat, *_oldest_queued_subqueries()]:
        sql, sub_params = sub.query.sql_with_params()
        parts.append(f"({sql})")
        params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        beat_at, *queued = cursor.fetchone()
    queued = [_aware(at) for at in queued if at is not None]
    return _aware(beat_at), min(queued) if queued else None


def _oldest_queued_subqueries():
    for label, queued, field in QUEUED_JOBS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        yield model.objects.filter(**queued).order_by(field).values(field)[:1]


def _aware(value):
    if value is None or timezone.is_aware(value):
        return value
    if isinstance(value, str):  # SQLite hands back text from a raw statement
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def oldest_queued_seconds(now=None):
    """Seconds the oldest queued job has waited, or None when nothing is queued."""
    now = now or timezone.now()
    oldest = _snapshot()[1]
    return None if oldest is None else max(0, int((now - oldest).total_seconds()))


def worker_status(now=None):
    """{"worker": inline | ok | stale | never, "worker_heartbeat_age": s, "oldest_queued_seconds": s}."""
    now = now or timezone.now()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"worker": "inline", "worker_heartbeat_age": None, "oldest_queued_seconds": None}
    beat, oldest = _snapshot()
    age = None if beat is None else max(0, int((now - beat).total_seconds()))
    if age is None:
        state = "never"
    else:
        state = "ok" if age <= settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS else "stale"
    queued = None if oldest is None else max(0, int((now - oldest).total_seconds()))
    return {"worker": state, "worker_heartbeat_age": age, "oldest_queued_seconds": queued}


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
