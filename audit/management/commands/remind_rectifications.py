from django.core.management.base import BaseCommand

from audit.services import rectifications_remind_overdue


class Command(BaseCommand):
    help = "催办逾期整改（每项每天一次）。 Remind owners of overdue rectification actions (once a day each)."

    def handle(self, *args, **options):
        sent = rectifications_remind_overdue()
        self.stdout.write(f"{sent} 条催办 / reminders sent")
