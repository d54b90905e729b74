"""Exceptions of the field-encryption layer.

Every failure is loud: a value that cannot be decrypted raises, it is never shown as data, and a
value that cannot be encrypted correctly is refused rather than stored in clear or twice.
"""


class CryptoError(Exception):
    """Base class of every error raised by `privacy.crypto`."""


class DecryptionError(CryptoError):
    """A ciphertext could not be opened: unknown or wrong master key, tampered or foreign token."""


class SubjectKeyShredded(DecryptionError):
    """The data subject's key was destroyed (crypto-shredding): its ciphertexts are gone for good.

    Code that reads such a value gets this error. A template shows nothing instead
    (`silent_variable_failure`): an erased person's page renders without their data rather than
    failing, while a wrong or missing master key (`DecryptionError`) still fails loudly.
    """

    silent_variable_failure = True


class EncryptionError(CryptoError, ValueError):
    """A plaintext cannot be encrypted as asked (no owning row, already a token, bulk SQL update)."""
