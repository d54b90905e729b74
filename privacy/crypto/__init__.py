"""Field encryption for personal data (see DESIGN.md, "Personal data and encryption").

Modules: `suites` (AES-256-GCM/HMAC-SHA256 and SM4-GCM/HMAC-SM3), `keyring` (master and
blind-index keys from settings), `fields` (encrypted fields and their token format), `blind`
(blind indexes), `personal` (the `PersonalDataModel` base, its queryset and manager, key
ownership), `shred` (crypto-shredding), `audit` (auditlog options), `masking` (display masks).
`privacy.models.SubjectKey` holds the wrapped per-subject data keys.

The names below are imported lazily: this package is imported while the model registry is still
loading, and some of them define or query models.
"""

from importlib import import_module

_EXPORTS = {
    "CryptoError": "errors",
    "DecryptionError": "errors",
    "EncryptionError": "errors",
    "SubjectKeyShredded": "errors",
    "EncryptedCharField": "fields",
    "EncryptedTextField": "fields",
    "Sealed": "fields",
    "BlindIndexField": "blind",
    "PersonalDataModel": "personal",
    "PersonalManager": "personal",
    "PersonalQuerySet": "personal",
    "shred_subject": "shred",
    "auditlog_kwargs": "audit",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
