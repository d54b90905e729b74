"""Anomaly rules over one day of access events (the daily job and the report page).

- volume: reveals + exported rows by one user in a day above ANOMALY_DAILY_REVEAL_THRESHOLD;
- off_hours: reads of personal data outside 08:00–19:00 Asia/Shanghai or on a non-working day
  (zhaoshang.core.calendar, which knows statutory holidays and make-up days);
- denied: at least ANOMALY_DENIED_THRESHOLD out-of-scope 404s ("denied" events) in a day;
- large_export: one export of more than ANOMALY_EXPORT_ROWS_THRESHOLD rows.

Idempotent: an anomaly is unique per (kind, user, day, key); running the job twice adds nothing.
"""

import datetime
import zoneinfo
from collections import defaultdict

from django.conf import settings
from django.db import transaction

from .models import AccessEvent, Anomaly

A = AccessEvent.Action
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
READ_ACTIONS = [A.VIEW, A.REVEAL, A.EXPORT, A.SUBJECT_EXPORT, A.SHARE]
WORK_START, WORK_END = datetime.time(8, 0), datetime.time(19, 0)
_MAX_EVENTS_LISTED = 50


def _is_working_day(day):
    try:
        from zhaoshang.core.calendar import is_working_day
    except ImportError:
        return day.weekday() < 5
    return is_working_day(day)


def is_off_hours(moment):
    local = moment.astimezone(ZONE)
    return not _is_working_day(local.date()) or not (WORK_START <= local.time() < WORK_END)


def day_bounds(day):
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=ZONE)
    return start, start + datetime.timedelta(days=1)


def detect_anomalies(day):
    """Find the anomalies of `day` (a date in Asia/Shanghai); returns the number newly recorded."""
    start, end = day_bounds(day)
    events = (
        AccessEvent.objects.filter(at__gte=start, at__lt=end, user__isnull=False, action__in=[*READ_ACTIONS, A.DENIED])
        .order_by("id")
        .values_list("id", "user_id", "action", "at", "row_count")
    )
    volume = defaultdict(lambda: [0, []])
    off_hours = defaultdict(list)
    denied = defaultdict(list)
    large = []
    off_day = not _is_working_day(day)
    for event_id, user_id, action, at, row_count in events.iterator(chunk_size=2000):
        if action == A.DENIED:
            denied[user_id].append(event_id)
            continue
        if action == A.REVEAL:
            volume[user_id][0] += 1
            volume[user_id][1].append(event_id)
        elif action in (A.EXPORT, A.SUBJECT_EXPORT):
            volume[user_id][0] += row_count or 0
            volume[user_id][1].append(event_id)
            if (row_count or 0) > settings.ANOMALY_EXPORT_ROWS_THRESHOLD:
                large.append((user_id, event_id, row_count))
        local_time = at.astimezone(ZONE).time()
        if off_day or not (WORK_START <= local_time < WORK_END):
            off_hours[user_id].append(event_id)

    found = []
    for user_id, (count, ids) in volume.items():
        if count > settings.ANOMALY_DAILY_REVEAL_THRESHOLD:
            found.append((Anomaly.Kind.VOLUME, user_id, "", count, ids))
    for user_id, ids in off_hours.items():
        found.append((Anomaly.Kind.OFF_HOURS, user_id, "", len(ids), ids))
    for user_id, ids in denied.items():
        if len(ids) >= settings.ANOMALY_DENIED_THRESHOLD:
            found.append((Anomaly.Kind.DENIED, user_id, "", len(ids), ids))
    for user_id, event_id, rows in large:
        found.append((Anomaly.Kind.LARGE_EXPORT, user_id, f"event:{event_id}", rows, [event_id]))

    created = 0
    with transaction.atomic():
        for kind, user_id, key, count, ids in found:
            _obj, was_created = Anomaly.objects.get_or_create(
                kind=kind,
                user_id=user_id,
                day=day,
                key=key,
                defaults={"count": count, "detail": {"events": ids[:_MAX_EVENTS_LISTED], "total_events": len(ids)}},
            )
            created += was_created
    return created
