"""Send every due webhook delivery now (the periodic job `integrations.tasks.deliver_due_webhooks`)."""

from django.core.management.base import BaseCommand

from integrations.webhooks import deliver_due_webhooks


class Command(BaseCommand):
    help = "发送所有到期的回调推送（与每分钟运行的定时任务相同）。"

    def handle(self, *args, **options):
        counts = deliver_due_webhooks()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
