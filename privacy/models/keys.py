"""Per-subject data keys (envelope encryption).

Each row that owns personal data points to one `SubjectKey`: a random data key (32 bytes for
``aes``, 16 for ``sm4``) stored wrapped — AES-256-GCM, or SM4-GCM for ``sm4`` keys — under the
master key `master_key_id`, with associated data binding the key's id and suite, so a wrapped
key copied onto another row does not open. Rotation re-wraps `wrapped_key` and never touches
field ciphertext; crypto-shredding sets it to NULL, after which every ciphertext of the subject,
including copies in exports and in dumps of the data tables, is unreadable.

A database backup holds the wrapped keys too: such a backup stays readable until the master key
that wrapped them is rotated out and removed from ``FIELD_ENCRYPTION_KEYS``. Keep backup
retention within the master-key rotation period (see `rotate_keys`).
"""

import os
import uuid

from cryptography.exceptions import InvalidTag
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto.errors import DecryptionError, SubjectKeyShredded
from privacy.crypto.keyring import data_keys, get_keyring
from privacy.crypto.suites import SUITES, get_suite, seal, unseal


def _wrap_aad(key_id, suite_name):
    return b"zhaoshang.subject-key|" + suite_name.encode() + b"|" + key_id.bytes


class SubjectKeyQuerySet(models.QuerySet):
    def live(self):
        """Keys not shredded."""
        return self.filter(wrapped_key__isnull=False)

    def not_under(self, master_key_id):
        """Live keys wrapped by any master key other than `master_key_id` (to re-wrap)."""
        return self.live().exclude(master_key_id=master_key_id)


class SubjectKey(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped_key = models.BinaryField(_("封装的数据密钥"), null=True, editable=False)
    master_key_id = models.CharField(_("主密钥编号"), max_length=32)
    suite = models.CharField(_("密码套件"), max_length=8, choices=[(name, name) for name in SUITES])
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    rotated_at = models.DateTimeField(_("重新封装时间"), null=True, blank=True)
    shredded_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)

    objects = SubjectKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("数据主体密钥")
        verbose_name_plural = _("数据主体密钥")
        indexes = [
            models.Index(
                fields=["master_key_id"], condition=Q(wrapped_key__isnull=False), name="subjectkey_live_master_idx"
            ),
        ]

    def __str__(self):
        state = "shredded" if self.wrapped_key is None else self.master_key_id
        return f"{self.pk} ({self.suite}, {state})"

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_data_cipher", None)  # never pickle key material
        return state

    @classmethod
    def generate(cls, *, keyring=None):
        """A new, unsaved key with a fresh data key, wrapped by the newest master key."""
        keyring = keyring or get_keyring()
        suite = keyring.suite
        key = cls(suite=suite.name)
        data_key = os.urandom(suite.key_size)
        key._wrap(keyring.newest, data_key)
        key._data_cipher = suite.cipher(data_key)
        return key

    @property
    def is_shredded(self):
        return self.wrapped_key is None

    def data_cipher(self):
        """The cipher of this subject's data key (unwrapped once, then cached)."""
        cipher = self.__dict__.get("_data_cipher")
        if cipher is not None:
            return cipher
        wrapped = self.wrapped_key
        if wrapped is None:
            raise SubjectKeyShredded(
                f"数据主体密钥 {self.pk} 已销毁，其个人信息无法再解密。 "
                f"(Subject key {self.pk} was shredded at {self.shredded_at}: its data cannot be decrypted.)"
            )
        wrapped = bytes(wrapped)
        cipher = data_keys.get(self.pk, wrapped)
        if cipher is None:
            suite = get_suite(self.suite)
            cipher = suite.cipher(self._unwrap(get_keyring(), wrapped, suite))
            data_keys.put(self.pk, wrapped, cipher)
        self._data_cipher = cipher
        return cipher

    def rewrap(self, keyring=None, *, at=None):
        """Re-wrap the data key under the newest master key (unsaved). The data key is unchanged."""
        keyring = keyring or get_keyring()
        if self.wrapped_key is None:
            raise SubjectKeyShredded(f"Subject key {self.pk} was shredded; there is nothing to re-wrap.")
        suite = get_suite(self.suite)
        self._wrap(keyring.newest, self._unwrap(keyring, bytes(self.wrapped_key), suite))
        self.rotated_at = at or timezone.now()

    def _wrap(self, master_key, data_key):
        suite = get_suite(self.suite)
        self.wrapped_key = seal(master_key.wrapper(suite), data_key, _wrap_aad(self.pk, suite.name))
        self.master_key_id = master_key.key_id

    def _unwrap(self, keyring, wrapped, suite):
        master_key = keyring.master_key(self.master_key_id)
        try:
            return unseal(master_key.wrapper(suite), wrapped, _wrap_aad(self.pk, suite.name))
        except InvalidTag:
            raise DecryptionError(
                f"主密钥 {self.master_key_id} 无法解开数据主体密钥 {self.pk}。 (Master key "
                f"{self.master_key_id} failed to unwrap subject key {self.pk}: FIELD_ENCRYPTION_KEYS holds a "
                "different value under this id, or the row was altered.)"
            ) from None
