"""`python manage.py notify_team_overdue`: each head's count of their team's overdue follow-ups (also daily by beat)."""

from django.core.management.base import BaseCommand

from clients.reminders import team_notify_overdue


class Command(BaseCommand):
    help = "提醒部门负责人：本团队跟进逾期的项目数（可重复执行，每天一次）。 Tell heads their team's overdue count."

    def handle(self, *args, **options):
        n = team_notify_overdue()
        self.stdout.write(self.style.SUCCESS(f"已发出 {n} 条团队逾期汇总。 {n} notice(s) written."))
