"""Delete import previews never confirmed within the hour (the periodic job's body, by hand)."""

from django.core.management.base import BaseCommand

from clients.excel import spool_sweep


class Command(BaseCommand):
    help = "删除超过一小时未确认的导入预览文件。 Delete import previews older than an hour."

    def handle(self, *args, **options):
        removed = spool_sweep()
        self.stdout.write(self.style.SUCCESS(f"已删除 {removed} 个过期的导入预览。 Removed {removed} preview(s)."))
