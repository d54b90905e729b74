"""The cipher suites: authenticated encryption, key derivation and keyed hashes, both suites."""

import hmac
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from privacy.crypto.suites import AES, SM4, SUITES, get_suite, seal, unseal

SUITE_LIST = [AES, SM4]


@pytest.fixture(params=SUITE_LIST, ids=lambda s: s.name)
def suite(request):
    return request.param


def test_sm4_is_the_standard_block_cipher():
    # GB/T 32907-2016 appendix A, example 1.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - one known-answer block
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm3_is_the_standard_hash():
    # GB/T 32905-2016 appendix A, example 1.
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@pytest.mark.parametrize("plaintext", [b"", b"13812345678", "张三丰".encode(), os.urandom(5000)])
def test_seal_then_open_returns_the_plaintext(suite, plaintext):
    cipher = suite.cipher(os.urandom(suite.key_size))
    blob = seal(cipher, plaintext, b"app.model.field")
    assert len(blob) == 12 + len(plaintext) + 16
    assert unseal(cipher, blob, b"app.model.field") == plaintext


def test_sealing_twice_gives_different_blobs(suite):
    cipher = suite.cipher(os.urandom(suite.key_size))
    assert seal(cipher, b"same", b"aad") != seal(cipher, b"same", b"aad")


@pytest.mark.parametrize("position", [0, 11, 12, -17, -1], ids=["nonce", "nonce-end", "ciphertext", "last", "tag"])
def test_a_flipped_bit_anywhere_fails_authentication(suite, position):
    cipher = suite.cipher(os.urandom(suite.key_size))
    blob = bytearray(seal(cipher, b"13812345678", b"aad"))
    blob[position] ^= 0x01
    with pytest.raises(InvalidTag):
        unseal(cipher, bytes(blob), b"aad")


def test_other_associated_data_or_key_fails(suite):
    cipher = suite.cipher(os.urandom(suite.key_size))
    blob = seal(cipher, b"13812345678", b"app.contact.mobile")
    with pytest.raises(InvalidTag):
        unseal(cipher, blob, b"app.contact.email")
    with pytest.raises(InvalidTag):
        unseal(suite.cipher(os.urandom(suite.key_size)), blob, b"app.contact.mobile")


def test_a_truncated_blob_fails(suite):
    cipher = suite.cipher(os.urandom(suite.key_size))
    with pytest.raises(InvalidTag):
        unseal(cipher, b"\0" * 27, b"aad")


def test_derived_keys_depend_on_label_and_secret(suite):
    secret = os.urandom(32)
    one = suite.derive(secret, b"zhaoshang.wrap.x")
    assert len(one) == suite.key_size
    assert one == suite.derive(secret, b"zhaoshang.wrap.x")
    assert one != suite.derive(secret, b"zhaoshang.wrap.y")
    assert one != suite.derive(os.urandom(32), b"zhaoshang.wrap.x")


def test_mac_is_the_standard_hmac_of_the_suite():
    key, message = os.urandom(32), b"13812345678"
    assert AES.mac(key)(message) == hmac.new(key, message, "sha256").hexdigest()
    from cryptography.hazmat.primitives import hmac as crypto_hmac

    reference = crypto_hmac.HMAC(key, hashes.SM3())
    reference.update(message)
    assert SM4.mac(key)(message) == reference.finalize().hex()
    assert SM4.mac(key)(message) == SM4.mac(key)(message)  # the copied key schedule is reusable


def test_unknown_suite_is_refused():
    assert set(SUITES) == {"aes", "sm4"}
    with pytest.raises(ValueError, match="unknown cipher suite"):
        get_suite("des")
