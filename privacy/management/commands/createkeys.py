"""Print fresh secrets as NAME=value lines, ready for .env or the deployment's environment."""

import base64
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.crypto.keyring import KEY_ID_RE, MASTER_KEY_SIZE


def _b64_key(size=MASTER_KEY_SIZE):
    return base64.b64encode(secrets.token_bytes(size)).decode()


class Command(BaseCommand):
    help = (
        "生成新的 SECRET_KEY、FIELD_ENCRYPTION_KEYS 和 BLIND_INDEX_KEY（NAME=value 行）。 "
        "Print fresh SECRET_KEY, FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY lines for .env. "
        "With --add-master-key: only FIELD_ENCRYPTION_KEYS, a new key in front of the configured ones "
        "(the first step of a master-key rotation; then run rotate_keys)."
    )
    requires_system_checks = []  # runs before any key exists

    def add_arguments(self, parser):
        parser.add_argument("--key-id", help="Master key id (default k<yyyymmdd>).")
        parser.add_argument(
            "--add-master-key",
            action="store_true",
            help="Print FIELD_ENCRYPTION_KEYS with a new master key prepended to the configured ones.",
        )

    def handle(self, *args, key_id=None, add_master_key=False, **options):
        key_id = key_id or f"k{timezone.localdate():%Y%m%d}"
        if not KEY_ID_RE.fullmatch(key_id):
            raise CommandError(
                "密钥编号只能含字母、数字、_ . -，最长 32 个字符。 Key ids: letters, digits, _ . - (≤ 32)."
            )
        new_entry = f"{key_id}:{_b64_key()}"
        if add_master_key:
            current = [entry.strip() for entry in settings.FIELD_ENCRYPTION_KEYS.split(",") if entry.strip()]
            if any(entry.partition(":")[0].strip() == key_id for entry in current):
                raise CommandError(
                    f"主密钥编号 {key_id} 已存在，请用 --key-id 另取一个。 Key id {key_id} exists: pass --key-id."
                )
            self.stdout.write("FIELD_ENCRYPTION_KEYS=" + ",".join([new_entry, *current]))
            return
        self.stdout.write(f"SECRET_KEY={secrets.token_urlsafe(50)}")
        self.stdout.write(f"FIELD_ENCRYPTION_KEYS={new_entry}")
        self.stdout.write(f"BLIND_INDEX_KEY={_b64_key()}")
