from django.core.management.base import BaseCommand, CommandError

from audit.sealing import verify_all


class Command(BaseCommand):
    help = (
        "校验审计哈希链：发现被改动、删除或乱序插入的条目时以非零状态退出并指出第一条。 "
        "Verify the audit hash chains; exit non-zero naming the first broken entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("--show-head", action="store_true", help="打印各链最新封存摘要 / print head digests")

    def handle(self, *args, show_head=False, **options):
        first = None
        for report in verify_all():
            status = "OK" if report.ok else "FAILED"
            self.stdout.write(
                f"{report.chain}: {status} — {report.seals} 个封存, {report.entries} 条已封存, "
                f"{report.unsealed} 条待封存, {report.redacted} 条脱敏记录"
            )
            if show_head:
                self.stdout.write(f"  head {report.head}")
            if not report.ok and first is None:
                first = report.problems[0]
        if first is not None:
            raise CommandError(f"审计链校验失败 / audit trail verification failed: [{first.chain}] {first.message}")
        self.stdout.write(self.style.SUCCESS("审计链完整。 Audit trail intact."))
