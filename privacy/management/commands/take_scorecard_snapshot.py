from django.core.management.base import BaseCommand

from privacy.scorecard.services import scorecard_snapshot_take


class Command(BaseCommand):
    help = "生成本月合规记分卡快照。 Store this month's PIPL scorecard snapshot."

    def handle(self, *args, **options):
        snapshot = scorecard_snapshot_take()
        self.stdout.write(f"{snapshot.month:%Y-%m}: {len(snapshot.rows)}")
