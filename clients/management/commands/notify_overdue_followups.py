"""`python manage.py notify_overdue_followups`: the overdue follow-up notices, also run daily by Celery beat."""

from django.core.management.base import BaseCommand

from clients.reminders import followups_notify_overdue


class Command(BaseCommand):
    help = "提醒负责人：计划联系日期已过的项目（可重复执行，每个日期只提醒一次）。 Notify owners of overdue follow-ups."

    def handle(self, *args, **options):
        n = followups_notify_overdue()
        self.stdout.write(self.style.SUCCESS(f"已发出 {n} 条跟进逾期提醒。 {n} notice(s) written."))
