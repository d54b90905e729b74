from django.core.management.base import BaseCommand, CommandError

from zhaoshang.core import tallies


class Command(BaseCommand):
    help = (
        "核对（或重建）数据库触发器维护的汇总计数：驾驶舱汇总、同意覆盖计数。"
        " Check (or rebuild) the running totals the database triggers keep (zhaoshang/core/tallies.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="重新安装触发器并按现有数据重新计数（修改 TIME_ZONE 后须执行）。 Reinstall and recount.",
        )

    def handle(self, *args, **options):
        if not tallies.maintained():
            self.stdout.write("本数据库不维护汇总计数（仅 PostgreSQL），页面实时计数。 No tallies on this database.")
            return
        if options["rebuild"]:
            tallies.install_all()
            self.stdout.write("汇总计数已重建。 Tallies rebuilt.")
            return
        found = tallies.check_all()
        if found:
            for table, rows in found.items():
                self.stderr.write(f"{table}: {len(rows)} 行与实际计数不符 / rows differ from a fresh count")
            raise CommandError("汇总计数与实际数据不符，请执行 `manage.py tallies --rebuild`。 Tallies differ.")
        self.stdout.write("汇总计数与实际数据一致。 Tallies agree with a fresh count.")
