from django.core.management.base import BaseCommand

from privacy.review.services import reviews_remind


class Command(BaseCommand):
    help = "发送隐私政策和法律法规复核提醒。 Send privacy-policy and law-register review reminders."

    def handle(self, *args, **options):
        sent = reviews_remind()
        self.stdout.write(f"提醒 {sent} 条 / {sent} reminders")
