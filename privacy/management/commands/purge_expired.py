"""`python manage.py purge_expired [--dry-run] [--rule CODE]`: the retention purge, also run daily by Celery beat."""

from django.core.management.base import BaseCommand, CommandError

from privacy.models import PurgeRun, RetentionRule
from privacy.retention.services import purge_run_create, purge_run_execute


class Command(BaseCommand):
    help = (
        "按保存期限规则删除或匿名化到期的个人信息。 Delete or anonymise personal data whose retention period has ended."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="只预览将处理的记录编号，不做任何修改。 Preview only."
        )
        parser.add_argument("--rule", default="", help="只执行指定代码的规则。 Run one rule only.")

    def handle(self, *args, dry_run=False, rule="", **options):
        if rule and not RetentionRule.objects.active().filter(code=rule).exists():
            raise CommandError(f"没有启用的规则 {rule}。 No active rule with code {rule!r}.")
        run = purge_run_create(dry_run=dry_run, trigger=PurgeRun.Trigger.COMMAND, rule_code=rule)
        kind = "试运行 dry run" if dry_run else "清理 purge"
        self.stdout.write(f"{kind} #{run.pk} 开始 started")

        def progress(*, rule, batch, ids):
            if ids:
                self.stdout.write(f"  {rule.code}: 第 {batch} 批 batch, {len(ids)} 条 rows (#{ids[0]}–#{ids[-1]})")

        run = purge_run_execute(run_id=run.pk, on_batch=progress)
        for code, stats in run.counts.items():
            line = (
                f"  {code}: 候选 candidates {stats.get('candidates', 0)}, "
                f"已处理 processed {stats.get('processed', 0)}, 保全 held {stats.get('held', 0)}"
            )
            if stats.get("skipped"):
                line += f" (skipped: {stats['skipped']})"
            self.stdout.write(line)
        for error in run.errors:
            self.stderr.write(f"  error: {error}")
        style = self.style.SUCCESS if run.status == PurgeRun.Status.SUCCEEDED else self.style.WARNING
        self.stdout.write(style(f"{kind} #{run.pk}: {run.get_status_display()}"))
