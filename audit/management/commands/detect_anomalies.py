import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.anomalies import detect_anomalies


class Command(BaseCommand):
    help = "检出某日（默认昨天）的异常访问。 Detect the access anomalies of a day (default yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD")

    def handle(self, *args, day=None, **options):
        try:
            day = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(days=1)
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。 Date must be YYYY-MM-DD.") from exc
        created = detect_anomalies(day)
        self.stdout.write(f"{day:%Y-%m-%d}: {created} 条新异常 / new anomalies")
