from django.core.management.base import BaseCommand

from zhaoshang.core.notifications.services import notifications_digest_send


class Command(BaseCommand):
    help = "发送每日通知邮件摘要（可重复执行，每条通知只发送一次）。 Send the daily notification digests."

    def handle(self, *args, **options):
        sent = notifications_digest_send()
        self.stdout.write(f"{sent} 封摘要邮件 / digest e-mails sent")
