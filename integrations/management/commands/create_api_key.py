"""Issue an API key for an integration from the command line (the admin console does the same).

    python manage.py create_api_key <integration code> [--days 365] [--label "..."]

The key is printed once; only its digest is stored.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from integrations.models import Integration
from integrations.services import api_key_issue


class Command(BaseCommand):
    help = "为接入系统生成 API 密钥（只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="接入系统代码")
        parser.add_argument("--days", type=int, default=None, help="有效期（天）")
        parser.add_argument("--label", default="", help="说明")

    def handle(self, *args, code, days, label, **options):
        integration = Integration.objects.filter(code=code).first()
        if integration is None:
            raise CommandError(f"没有代码为 {code} 的接入系统。")
        try:
            key, plaintext = api_key_issue(integration=integration, days=days, label=label)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{plaintext}\n")
        self.stderr.write(f"到期时间 / expires: {key.expires_at:%Y-%m-%d %H:%M}；请立即妥善保存，之后无法再次查看。")
