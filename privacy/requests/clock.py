"""The answer's deadline in working days on the zone's holiday calendar (`zhaoshang.core.calendar`).

`SUBJECT_REQUEST_DAYS` working days (default 15) from receipt or, with
`SUBJECT_REQUEST_CLOCK_FROM = "verification"`, from the moment the requester's identity was
verified. A pause stops the clock: the working days left are kept and counted again from the
day the requester answers. One extension adds `SUBJECT_REQUEST_EXTENSION_DAYS`.
"""

from django.conf import settings
from django.utils import timezone

from zhaoshang.core.calendar import add_working_days, working_days_between


def deadline_days():
    return getattr(settings, "SUBJECT_REQUEST_DAYS", None) or settings.SUBJECT_REQUEST_DEADLINE_WORKING_DAYS


def clock_from_verification():
    return getattr(settings, "SUBJECT_REQUEST_CLOCK_FROM", "receipt") == "verification"


def due_from(start):
    """The due date `deadline_days()` working days after `start` (a date or an aware datetime)."""
    return add_working_days(start, deadline_days())


def remaining_on(due_date, today=None):
    """Working days left before `due_date` (0 when it is today or past)."""
    return max(working_days_between(today or timezone.localdate(), due_date), 0)


def resumed_due(remaining, today=None):
    """The due date after a pause: the days that were left, counted again from `today`."""
    return add_working_days(today or timezone.localdate(), max(remaining or 0, 1))


def extended_due(due_date):
    return add_working_days(due_date, settings.SUBJECT_REQUEST_EXTENSION_DAYS)
