"""`python manage.py seed_demo`: demo departments, users, cases and complaints. Idempotent.

Each app contributes one step (a function returning the number of rows it created); running the
command twice creates nothing the second time. Demo data is invented: no real person's details.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

DEFAULT_DEMO_PASSWORD = "zhaoshang-demo-2026"  # noqa: S105 - demo-only password, printed on purpose

# Later issues add their steps here, in dependency order.
STEPS = [
    "clients.demo.seed_organisation",
    "audit.demo.seed_audit",
    "clients.demo.seed_cases",
    "privacy.sharing.demo.seed_sharing",  # [I] a partner, an approved assessment, a signed agreement
    "privacy.demo.seed_consents",
    "privacy.training.demo.seed_training",  # [J] current training for all but officer3, a recognition, a drill
    "complaints.demo.seed_complaints",
    "integrations.demo.seed_integrations",
]


class Command(BaseCommand):
    help = "写入演示数据（部门、各角色用户、案例与投诉），可重复执行。 Seed demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="允许在 DEBUG=False 时执行 / allow with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭：演示数据只用于开发环境。确需写入请加 --force。 (DEBUG is off; use --force.)"
            )
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
        total = 0
        for dotted in STEPS:
            with transaction.atomic():
                created = import_string(dotted)(password=password)
            total += created
            self.stdout.write(f"  {dotted}: {created}")
        self.stdout.write(
            self.style.SUCCESS(f"演示数据就绪（本次新建 {total} 条）。 Demo data ready ({total} created).")
        )
        self.stdout.write(
            "演示账号 Demo users: officer1 officer2 officer3 head1 head2 dpo handler auditor admin — "
            f"密码 password: {password}"
        )
