"""Cipher suites: one authenticated cipher and one keyed hash per suite, both from `cryptography`.

- ``aes``: AES-256-GCM, HMAC-SHA256 and HKDF-SHA256 (the default).
- ``sm4``: SM4-GCM (GB/T 32907), HMAC-SM3 (GB/T 32905) and HKDF-SM3 — the 国密 suite for a
  GB/T 39786 commercial-cryptography assessment.

A cipher object has AESGCM's interface — ``encrypt(nonce, data, aad)`` returning
``ciphertext | tag`` and ``decrypt(nonce, ciphertext | tag, aad)`` — so the ``aes`` suite uses
`AESGCM` itself, without a wrapper on the hot path. `seal`/`unseal` handle the stored form
``nonce (12 bytes) | ciphertext | tag (16 bytes)``, the same in both suites. Nonces are random: a
data key seals at most a few dozen values in its life, far below the 2**32 messages per key at
which random 96-bit GCM nonces start to matter.

Cipher objects are built once per key and reused: this module sits on the hot path of every
encrypted field read and write.
"""

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

NONCE_SIZE = 12
TAG_SIZE = 16


class Sm4Gcm:
    """SM4-GCM under one key, with AESGCM's interface (`cryptography` has no SM4 AEAD class)."""

    __slots__ = ("_algorithm",)

    def __init__(self, key):
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, nonce, data, aad):
        encryptor = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce, data, aad):
        if len(data) < TAG_SIZE:
            raise InvalidTag
        decryptor = Cipher(self._algorithm, modes.GCM(nonce, data[-TAG_SIZE:])).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(data[:-TAG_SIZE]) + decryptor.finalize()


def seal(cipher, plaintext, aad):
    """``nonce | ciphertext | tag`` of `plaintext` under `cipher`, with a fresh random nonce."""
    nonce = os.urandom(NONCE_SIZE)
    return nonce + cipher.encrypt(nonce, plaintext, aad)


def unseal(cipher, blob, aad):
    """The plaintext of a sealed `blob`; `InvalidTag` if it, or its associated data, was altered."""
    if len(blob) < NONCE_SIZE + TAG_SIZE:
        raise InvalidTag
    return cipher.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)


def _hmac_sha256(key):
    def mac(message, _digest=hmac.digest):
        return _digest(key, message, "sha256").hex()

    return mac


def _hmac_sm3(key):
    keyed = crypto_hmac.HMAC(key, hashes.SM3())  # the key schedule runs once; each call copies it

    def mac(message):
        h = keyed.copy()
        h.update(message)
        return h.finalize().hex()

    return mac


@dataclass(frozen=True)
class Suite:
    """A named pair of primitives. `key_size` is the data-key length in bytes."""

    name: str
    key_size: int
    cipher_class: type
    hash_algorithm: type
    mac_factory: Callable

    def cipher(self, key):
        """The AEAD object of `key` (AESGCM's interface)."""
        return self.cipher_class(key)

    def mac(self, key):
        """A function `message bytes -> lowercase hex HMAC` under `key`."""
        return self.mac_factory(key)

    def derive(self, secret, label, length=None):
        """HKDF-Expand of a uniformly random `secret` for one purpose (`label`, bytes)."""
        return HKDFExpand(self.hash_algorithm(), length or self.key_size, label).derive(secret)


AES = Suite("aes", 32, AESGCM, hashes.SHA256, _hmac_sha256)
SM4 = Suite("sm4", 16, Sm4Gcm, hashes.SM3, _hmac_sm3)
SUITES = {suite.name: suite for suite in (AES, SM4)}


def get_suite(name):
    try:
        return SUITES[name]
    except KeyError:
        raise ValueError(f"unknown cipher suite {name!r}; expected one of {sorted(SUITES)}") from None
