"""Re-wrap subject keys under the newest master key, check progress, or recompute blind indexes."""

import time

from django.core.management.base import BaseCommand, CommandError

from audit.access import record_access
from privacy.crypto import rotation
from privacy.crypto.keyring import get_keyring


class Command(BaseCommand):
    help = (
        "把所有数据主体密钥重新封装到最新主密钥下（不改写字段密文，可中断后续跑）。 "
        "Re-wrap every subject key under the newest master key of FIELD_ENCRYPTION_KEYS, in batches, "
        "resumable, without rewriting any field ciphertext. --check: count keys still under older master "
        "keys (exit 1 while any). --blind-index: recompute every blind index under the current "
        "BLIND_INDEX_KEY and CIPHER_SUITE."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check", action="store_true", help="Count keys under older master keys; exit 1 if any.")
        mode.add_argument("--blind-index", action="store_true", help="Recompute the blind-index columns.")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, check=False, blind_index=False, batch_size=1000, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive.")
        if check:
            return self._check()
        if blind_index:
            return self._blind_index(batch_size)
        return self._rewrap(batch_size)

    def _check(self):
        newest = get_keyring().newest.key_id
        remaining = rotation.keys_under_old_master_keys()
        for key_id, count in sorted(remaining.items()):
            self.stdout.write(f"{key_id}: {count}")
        total = sum(remaining.values())
        self.stdout.write(
            f"{total} 个数据主体密钥仍在旧主密钥下 / subject keys still under older master keys (newest: {newest})"
        )
        if total:
            raise CommandError("先运行 rotate_keys。 Run rotate_keys before retiring an old master key.", returncode=1)

    def _rewrap(self, batch_size):
        newest = get_keyring().newest.key_id
        done, failed = rotation.rewrap_subject_keys(batch_size=batch_size, progress=self._progress())
        self.stdout.write(f"{done} 个数据主体密钥已重新封装到 {newest} / subject keys re-wrapped under {newest}")
        record_access(None, "bulk", detail={"operation": "rotate_keys", "count": done})
        if failed:
            listing = ", ".join(f"{key_id}: {count}" for key_id, count in sorted(failed.items()))
            raise CommandError(
                f"以下主密钥下的数据密钥无法解开：{listing}。 Keys under these master keys could not be unwrapped "
                "(missing from FIELD_ENCRYPTION_KEYS, or a different value under that id)."
            )

    def _blind_index(self, batch_size):
        done = rotation.recompute_blind_indexes(batch_size=batch_size, progress=self._progress())
        self.stdout.write(f"{done} 行盲索引已重算 / rows re-indexed")
        record_access(None, "bulk", detail={"operation": "rotate_keys_blind_index", "count": done})

    def _progress(self):
        """A progress callback printing at most one line a second (and each table's last one)."""
        last = [0.0]

        def report(label, done, total):
            now = time.monotonic()
            if now - last[0] >= 1 or done >= total:
                last[0] = now
                self.stdout.write(f"  {label}: {done}/{total}")

        return report
