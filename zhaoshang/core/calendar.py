"""The Chinese working-day calendar every deadline uses (complaints, data-subject requests, lead clocks).

A day is a working day when it is a 调休上班日, or a Monday-to-Friday that is not a 法定节假日. The
exceptions live in `core.HolidayCalendar` (editable in the admin, seeded per year by migration).
A year's exceptions are loaded with one query and kept in this process for
`WORKING_CALENDAR_CACHE_SECONDS`; saving or deleting a row clears the cache of this process at
once (other processes pick the change up when their copy expires).

A year with no rows at all is treated as plain Monday-to-Friday and logged once, so a missing seed
is visible rather than silent.
"""

import datetime
import logging
import threading
import time

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_cache = {}  # year -> (expires_at, holidays frozenset, workdays frozenset)
_warned_years = set()


def clear_cache():
    """Forget every cached year (called when a calendar row changes; tests call it too)."""
    with _lock:
        _cache.clear()


def _year(year):
    now = time.monotonic()
    entry = _cache.get(year)
    if entry is not None and entry[0] > now:
        return entry[1], entry[2]
    from .models import DayKind, HolidayCalendar

    holidays, workdays = set(), set()
    for day, kind in HolidayCalendar.objects.filter(year=year).values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    if not holidays and not workdays and year not in _warned_years:
        _warned_years.add(year)
        logger.warning("working-day calendar has no rows for %s: counting Monday to Friday only", year)
    ttl = getattr(settings, "WORKING_CALENDAR_CACHE_SECONDS", 300)
    with _lock:
        _cache[year] = (now + ttl, frozenset(holidays), frozenset(workdays))
    return frozenset(holidays), frozenset(workdays)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def is_working_day(day):
    """True for a working day in the zone's calendar (accepts a date or an aware datetime)."""
    day = _as_date(day)
    holidays, workdays = _year(day.year)
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(start, n):
    """The date `n` working days after `start` (`start` itself is not counted).

    `add_working_days(d, 0)` is `d`. A negative `n` counts backwards (for "N working days before
    a deadline"). Starting on a holiday, the first counted day is the next working day.
    """
    day = _as_date(start)
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a, b):
    """Working days after `a` up to and including `b`; negative when `b` is before `a`.

    The inverse of `add_working_days`: `working_days_between(d, add_working_days(d, n)) == n`.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a)
    count, day = 0, a
    while day < b:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count


def next_working_day(day):
    """`day` itself when it is a working day, else the first working day after it."""
    day = _as_date(day)
    return day if is_working_day(day) else add_working_days(day, 1)


def year_is_seeded(year):
    holidays, workdays = _year(year)
    return bool(holidays or workdays)
