"""The shared working-day calendar: seeded 2026 holidays, 调休 make-up days, edits in the admin table."""

import datetime

import pytest

from zhaoshang.core import calendar
from zhaoshang.core.models import HolidayCalendar

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 10, 1), False),  # 国庆节
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, 调休上班
        (D(2026, 9, 20), True),  # Sunday, 调休上班
        (D(2026, 10, 11), False),  # ordinary Sunday
        (D(2026, 1, 4), True),  # Sunday after 元旦, 调休上班
        (D(2026, 2, 16), False),  # 春节
        (D(2026, 2, 14), True),  # Saturday, 调休上班
        (D(2026, 5, 5), False),
        (D(2026, 5, 9), True),
        (D(2026, 6, 19), False),  # 端午节, a Friday
        (D(2026, 3, 10), True),  # ordinary Tuesday
    ],
)
def test_2026_days_follow_the_state_council_notice(day, working):
    assert calendar.is_working_day(day) is working


def test_thirteen_working_days_across_national_day_count_the_makeup_saturday():
    # 9/30 -> 10/8 (1), 10/9 (2), Sat 10/10 调休 (3), 10/12..16 (4-8), 10/19..23 (9-13)
    assert calendar.add_working_days(D(2026, 9, 30), 13) == D(2026, 10, 23)
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_one_working_day_after_friday_before_makeup_sunday_is_that_sunday():
    assert calendar.add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)


def test_working_days_between_is_the_inverse_of_add():
    start = D(2026, 9, 24)
    for n in (0, 1, 3, 7, 13, 20):
        assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n
    assert calendar.working_days_between(D(2026, 10, 23), D(2026, 9, 30)) == -13


def test_negative_counts_go_backwards_over_holidays():
    assert calendar.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)


def test_a_datetime_is_read_in_the_local_time_zone():
    from django.utils import timezone

    # 2026-09-30 17:00 UTC is already 10-01 01:00 in Shanghai: a holiday.
    moment = datetime.datetime(2026, 9, 30, 17, 0, tzinfo=datetime.UTC)
    assert calendar.is_working_day(moment) is False
    assert timezone.localtime(moment).date() == D(2026, 10, 1)


def test_2027_statutory_days_are_seeded_and_marked_provisional():
    rows = HolidayCalendar.objects.filter(year=2027)
    assert rows.count() == 13
    assert all("provisional" in row.note for row in rows)
    assert calendar.is_working_day(D(2027, 2, 8)) is False  # 初三, a Monday


def test_an_edited_row_counts_at_once():
    day = D(2026, 3, 10)
    assert calendar.is_working_day(day)
    row = HolidayCalendar.objects.create(date=day, kind=HolidayCalendar.Kind.HOLIDAY, name="测试")
    assert row.year == 2026
    assert calendar.is_working_day(day) is False
    row.delete()
    assert calendar.is_working_day(day) is True


def test_unseeded_year_counts_monday_to_friday():
    assert not calendar.year_is_seeded(2031)
    assert calendar.add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 6)  # Friday -> Monday
