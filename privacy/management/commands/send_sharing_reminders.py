from django.core.management.base import BaseCommand

from privacy.sharing.tasks import send_sharing_reminders


class Command(BaseCommand):
    help = "发送合作协议到期、合作方评估、影响评估复核和风险措施到期提醒。 Send sharing and assessment reminders."

    def handle(self, *args, **options):
        sent = send_sharing_reminders()
        self.stdout.write(f"提醒 {sent} 条 / {sent} reminders")
