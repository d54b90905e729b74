from django.core.management.base import BaseCommand

from privacy.incidents.tasks import send_incident_training_reminders


class Command(BaseCommand):
    help = "发送安全事件报告期限、年度应急演练和培训到期提醒。 Send incident, drill and training reminders."

    def handle(self, *args, **options):
        sent = send_incident_training_reminders()
        self.stdout.write(f"提醒 {sent} 条 / {sent} reminders")
