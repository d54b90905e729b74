from django.core.management.base import BaseCommand

from complaints import services


class Command(BaseCommand):
    help = (
        "发送投诉催办提醒并对超期投诉督办（可重复执行，每个期限只发一次）。 Send complaint reminders and escalations."
    )

    def handle(self, *args, **options):
        counts = services.check_deadlines()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
