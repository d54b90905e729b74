"""Seed the working-day calendar for 2026 and 2027.

2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), holidays with their 调休 days.
2027: the State Council notice was not published when this was written. Only the statutory days
of 《全国年节及纪念日放假办法》 (2024 revision) are seeded, marked provisional in `note`; replace
them in the admin when the notice appears (the make-up working days are missing until then).
"""

import datetime

from django.db import migrations

NOTICE_2026 = "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"
PROVISIONAL = "provisional — replace when the State Council publishes（暂按法定假日，待国务院通知发布后更新）"


def _span(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


D = datetime.date

HOLIDAYS_2026 = [
    ("元旦", D(2026, 1, 1), D(2026, 1, 3)),
    ("春节", D(2026, 2, 15), D(2026, 2, 23)),
    ("清明节", D(2026, 4, 4), D(2026, 4, 6)),
    ("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
    ("端午节", D(2026, 6, 19), D(2026, 6, 21)),
    ("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
    ("国庆节", D(2026, 10, 1), D(2026, 10, 7)),
]
WORKDAYS_2026 = [
    ("元旦调休", D(2026, 1, 4)),
    ("春节调休", D(2026, 2, 14)),
    ("春节调休", D(2026, 2, 28)),
    ("劳动节调休", D(2026, 5, 9)),
    ("国庆节调休", D(2026, 9, 20)),
    ("国庆节调休", D(2026, 10, 10)),
]
# Statutory days only (13 days): 元旦 1, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3.
HOLIDAYS_2027 = [
    ("元旦", D(2027, 1, 1), D(2027, 1, 1)),
    ("春节", D(2027, 2, 5), D(2027, 2, 8)),
    ("清明节", D(2027, 4, 5), D(2027, 4, 5)),
    ("劳动节", D(2027, 5, 1), D(2027, 5, 2)),
    ("端午节", D(2027, 6, 9), D(2027, 6, 9)),
    ("中秋节", D(2027, 9, 15), D(2027, 9, 15)),
    ("国庆节", D(2027, 10, 1), D(2027, 10, 3)),
]


def _rows():
    for name, start, end in HOLIDAYS_2026:
        for day in _span(start, end):
            yield day, "holiday", name, NOTICE_2026
    for name, day in WORKDAYS_2026:
        yield day, "workday", name, NOTICE_2026
    for name, start, end in HOLIDAYS_2027:
        for day in _span(start, end):
            yield day, "holiday", name, PROVISIONAL


def seed(apps, schema_editor):
    HolidayCalendar = apps.get_model("core", "HolidayCalendar")
    for day, kind, name, note in _rows():
        HolidayCalendar.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name, "note": note, "year": day.year}
        )


def unseed(apps, schema_editor):
    HolidayCalendar = apps.get_model("core", "HolidayCalendar")
    HolidayCalendar.objects.filter(date__in=[row[0] for row in _rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_holiday_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
