"""The keys held in memory: master keys, the blind-index key and a small cache of data keys.

Configuration (environment, read by `zhaoshang.settings`; `python manage.py createkeys` prints
fresh values):

- ``FIELD_ENCRYPTION_KEYS = "k20250601:<base64 of 32 bytes>,k20240101:<...>"``, newest first.
  The newest master key wraps every new data key and is the target of `rotate_keys`; older
  ones stay only to unwrap data keys not yet re-wrapped (`rotate_keys --check` says when an
  old key can be retired). Ids: letters, digits, ``_ . -``, at most 32 characters.
- ``BLIND_INDEX_KEY = "<base64 of at least 32 bytes>"``.
- ``CIPHER_SUITE = "aes" | "sm4"``: the suite of new data keys and of the blind indexes.

Master keys are never used directly: each is expanded (HKDF-Expand with the suite's hash) into
one wrapping key per suite, label ``zhaoshang.wrap.<suite>``. The blind-index key is expanded
into one key per indexed field, label ``zhaoshang.blind.<app_label.model.field>``
(HKDF-Expand is HMAC(key, label || 0x01): the keyed hash of the field label).

The parsed keyring is built once per process and rebuilt when a test changes one of the three
settings. Errors name key ids, never key material.
"""

import base64
import binascii
import re
import threading
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from .errors import DecryptionError
from .suites import SUITES, get_suite

MASTER_KEY_SIZE = 32
BLIND_KEY_MIN_SIZE = 32
KEY_ID_RE = re.compile(r"[A-Za-z0-9_.-]{1,32}")
KEY_SETTINGS = frozenset({"FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "CIPHER_SUITE"})

_HOW_TO_FIX = "请运行 `python manage.py createkeys` 生成新密钥。 (Run `python manage.py createkeys` to create keys.)"


def _config_error(problem_zh, problem_en):
    return ImproperlyConfigured(f"{problem_zh} ({problem_en}) {_HOW_TO_FIX}")


def _decode_key(value, name):
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _config_error(f"{name} 不是有效的 base64。", f"{name} is not valid base64.") from None


class MasterKey:
    """One master key: wraps and unwraps data keys through a per-suite derived key."""

    __slots__ = ("_secret", "_wrappers", "key_id")

    def __init__(self, key_id, secret):
        self.key_id = key_id
        self._secret = secret
        self._wrappers = {}

    def __repr__(self):
        return f"<MasterKey {self.key_id}>"

    def wrapper(self, suite):
        """The cipher that wraps data keys of `suite` under this master key."""
        cipher = self._wrappers.get(suite.name)
        if cipher is None:
            label = b"zhaoshang.wrap." + suite.name.encode()
            cipher = self._wrappers[suite.name] = suite.cipher(suite.derive(self._secret, label))
        return cipher


class Keyring:
    """The parsed key settings. Build it with `get_keyring()`, not directly."""

    def __init__(self, *, field_keys, blind_key, suite):
        self.master_keys = tuple(self._parse_master_keys(field_keys))
        self.newest = self.master_keys[0]
        self._by_id = {key.key_id: key for key in self.master_keys}
        self.suite = get_suite(suite)
        self._blind_key = self._parse_blind_key(blind_key)
        self._blind_macs = {}

    @staticmethod
    def _parse_master_keys(value):
        entries = [entry.strip() for entry in (value or "").split(",") if entry.strip()]
        if not entries:
            raise _config_error("FIELD_ENCRYPTION_KEYS 为空。", "FIELD_ENCRYPTION_KEYS is empty.")
        seen = set()
        for position, entry in enumerate(entries, start=1):
            key_id, sep, encoded = entry.partition(":")
            key_id = key_id.strip()
            if not sep or not KEY_ID_RE.fullmatch(key_id):
                raise _config_error(
                    f"FIELD_ENCRYPTION_KEYS 第 {position} 项格式错误，应为 <id>:<base64>。",
                    f"FIELD_ENCRYPTION_KEYS entry {position} is not <id>:<base64>.",
                )
            if key_id in seen:
                raise _config_error(
                    f"FIELD_ENCRYPTION_KEYS 中主密钥 {key_id} 重复。",
                    f"master key {key_id} appears twice in FIELD_ENCRYPTION_KEYS.",
                )
            seen.add(key_id)
            secret = _decode_key(encoded.strip(), f"主密钥 {key_id} / master key {key_id}")
            if len(secret) != MASTER_KEY_SIZE:
                raise _config_error(
                    f"主密钥 {key_id} 长度应为 {MASTER_KEY_SIZE} 字节。",
                    f"master key {key_id} must be {MASTER_KEY_SIZE} bytes, not {len(secret)}.",
                )
            yield MasterKey(key_id, secret)

    @staticmethod
    def _parse_blind_key(value):
        if not value:
            raise _config_error("BLIND_INDEX_KEY 为空。", "BLIND_INDEX_KEY is empty.")
        secret = _decode_key(value.strip(), "BLIND_INDEX_KEY")
        if len(secret) < BLIND_KEY_MIN_SIZE:
            raise _config_error(
                f"BLIND_INDEX_KEY 至少应为 {BLIND_KEY_MIN_SIZE} 字节。",
                f"BLIND_INDEX_KEY must be at least {BLIND_KEY_MIN_SIZE} bytes.",
            )
        return secret

    def master_key(self, key_id):
        """The master key `key_id`; `DecryptionError` naming it if it is not configured."""
        try:
            return self._by_id[key_id]
        except KeyError:
            loaded = ", ".join(self._by_id)
            raise DecryptionError(
                f"主密钥 {key_id} 不在 FIELD_ENCRYPTION_KEYS 中（已加载：{loaded}），无法解开数据密钥。"
                f" (Master key {key_id} is not in FIELD_ENCRYPTION_KEYS (loaded: {loaded}): restore it,"
                " or it was retired before `rotate_keys` finished.)"
            ) from None

    def blind_mac(self, label, suite=None):
        """The keyed hash (message bytes -> hex) of the blind index named `label`, under the
        configured suite or, for lookups across a CIPHER_SUITE switch, under `suite`."""
        suite = self.suite if suite is None else suite
        mac = self._blind_macs.get((label, suite.name))
        if mac is None:
            field_key = suite.derive(self._blind_key, b"zhaoshang.blind." + label.encode(), 32)
            mac = self._blind_macs[(label, suite.name)] = suite.mac(field_key)
        return mac

    def blind_lookup_macs(self, label):
        """The keyed hashes a search compares with: the configured suite's first, then every other
        suite's, so rows indexed before a CIPHER_SUITE switch are found until re-indexed."""
        macs = self._blind_macs.get((label, "*"))
        if macs is None:
            others = [s for name, s in sorted(SUITES.items()) if name != self.suite.name]
            macs = self._blind_macs[(label, "*")] = (
                self.blind_mac(label),
                *(self.blind_mac(label, s) for s in others),
            )
        return macs


class DataKeyCache:
    """A bounded LRU of unwrapped data-key ciphers, keyed by subject-key id.

    Each entry remembers the wrapped bytes it was unwrapped from and is used only when they
    match the row at hand: a re-wrapped (rotated) or shredded key misses instead of being
    served stale.
    """

    def __init__(self, maxsize=4096):
        self.maxsize = maxsize
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_id, wrapped):
        with self._lock:
            entry = self._entries.get(key_id)
            if entry is None or entry[0] != wrapped:
                return None
            self._entries.move_to_end(key_id)
            return entry[1]

    def put(self, key_id, wrapped, cipher):
        with self._lock:
            self._entries[key_id] = (wrapped, cipher)
            self._entries.move_to_end(key_id)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def evict(self, key_ids):
        with self._lock:
            for key_id in key_ids:
                self._entries.pop(key_id, None)

    def clear(self):
        with self._lock:
            self._entries.clear()


data_keys = DataKeyCache()
_keyring = None


def get_keyring():
    """The process-wide keyring, parsed from settings on first use."""
    ring = _keyring
    if ring is None:
        ring = _load()
    return ring


def _load():
    global _keyring
    _keyring = Keyring(
        field_keys=settings.FIELD_ENCRYPTION_KEYS,
        blind_key=settings.BLIND_INDEX_KEY,
        suite=settings.CIPHER_SUITE,
    )
    return _keyring


def reset_keyring():
    """Forget the parsed keyring and every cached data key (settings changed, tests)."""
    global _keyring
    _keyring = None
    data_keys.clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting, **kwargs):
    if setting in KEY_SETTINGS:
        reset_keyring()
