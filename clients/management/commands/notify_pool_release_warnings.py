"""`python manage.py notify_pool_release_warnings`: warn owners before the 公海 idle release (also daily by beat)."""

from django.core.management.base import BaseCommand

from clients.reminders import pool_notify_release_soon


class Command(BaseCommand):
    help = "提醒负责人：即将因久未跟进释放到公海的项目（可重复执行）。 Warn owners of projects about to be released."

    def handle(self, *args, **options):
        n = pool_notify_release_soon()
        self.stdout.write(self.style.SUCCESS(f"已发出 {n} 条公海释放提醒。 {n} notice(s) written."))
