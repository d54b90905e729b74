"""`python manage.py release_idle_projects`: the 公海 job, also run daily by Celery beat."""

from django.conf import settings
from django.core.management.base import BaseCommand

from clients.services import release_idle_projects


class Command(BaseCommand):
    help = "释放超过设定天数无跟进的项目到公海，并通知原负责人和部门负责人。 Release idle projects to the pool."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help=f"默认 {settings.PUBLIC_POOL_IDLE_DAYS} 天")

    def handle(self, *args, days=None, **options):
        n = release_idle_projects(days=days)
        self.stdout.write(self.style.SUCCESS(f"已释放 {n} 个项目到公海。 Released {n} project(s)."))
