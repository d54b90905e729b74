"""Blind indexes: exact-match search over encrypted values.

A `BlindIndexField` holds the hex keyed hash (HMAC-SHA256, or HMAC-SM3 under the ``sm4`` suite)
of the normalised value of an encrypted field, in its own indexed column. Each index has its
own key, derived from ``BLIND_INDEX_KEY`` and the index's label, so equal values in two tables
do not correlate. Nothing else about an encrypted value is searchable.

The index is recomputed on save when its source was assigned, and by
`PersonalQuerySet.bulk_update`/`update`. A search compares the value's hash under every suite
(`lookup_digests`), the configured one first, so switching ``CIPHER_SUITE`` hides no row: rows
indexed before the switch are found by their old hash until ``python manage.py rotate_keys
--blind-index`` re-indexes them (which the README's key procedure says to run). A change of
``BLIND_INDEX_KEY`` still needs that re-index before old rows are found again.

Normalisers
    ``mobile``: NFKC (full-width digits), digits only; a leading ``86``/``0086`` (from
    ``+86``/``0086``) is removed when an 11-digit number remains, so landlines that happen to
    start with 86 are not cut.
    ``email``: NFKC, case-folded, surrounding whitespace removed.
"""

import re
import unicodedata

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .fields import EncryptedField, Sealed
from .keyring import get_keyring

_NON_DIGITS = re.compile(r"[^0-9]+")


def normalize_mobile(value):
    if not (value.isascii() and value.isdigit()):
        digits = value.replace(" ", "").replace("-", "").replace("+", "")  # the usual separators, fast
        if not (digits.isascii() and digits.isdigit()):
            digits = _NON_DIGITS.sub("", unicodedata.normalize("NFKC", value))
        value = digits
    length = len(value)
    if length == 13 and value.startswith("86"):
        return value[2:]
    if length == 15 and value.startswith("0086"):
        return value[4:]
    return value


def normalize_email(value):
    if value.isascii():
        return value.strip().lower()
    return unicodedata.normalize("NFKC", value).casefold().strip()


NORMALIZERS = {"mobile": normalize_mobile, "email": normalize_email}


class BlindIndexField(models.CharField):
    """Indexed keyed hash of the normalised value of the encrypted field `source`."""

    def __init__(self, *args, source, normalizer, **kwargs):
        if normalizer not in NORMALIZERS:
            raise ValueError(f"unknown blind-index normalizer {normalizer!r}; expected one of {sorted(NORMALIZERS)}")
        self.source = source
        self.normalizer = normalizer
        self._normalize = NORMALIZERS[normalizer]
        self._mac_for = (None, None)  # (keyring, keyed hash) — rebuilt when the keyring changes
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["normalizer"] = self.normalizer
        for option, default in (("max_length", 64), ("db_index", True), ("null", True), ("blank", True)):
            if kwargs.get(option) == default:
                del kwargs[option]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        self.label = f"{cls._meta.label_lower}.{name}"

    def digest(self, value):
        """The index value of plaintext `value`, or None for an empty value."""
        if not value:
            return None
        normalized = self._normalize(value)
        if not normalized:
            return None
        ring, mac = self._mac_for
        keyring = get_keyring()
        if ring is not keyring:
            mac = keyring.blind_mac(self.label)
            self._mac_for = (keyring, mac)
        return mac(normalized.encode())

    def lookup_digests(self, value):
        """The index values an exact search for plaintext `value` matches: its hash under the
        configured suite and under the other one (rows not yet re-indexed after a switch)."""
        if not value:
            return []
        normalized = self._normalize(value)
        if not normalized:
            return []
        message = normalized.encode()
        return [mac(message) for mac in get_keyring().blind_lookup_macs(self.label)]

    def pre_save(self, model_instance, add):
        """Recompute from the source when it was assigned; keep the stored index otherwise."""
        source = model_instance.__dict__.get(self.source, Sealed)  # Sealed (the class): deferred
        if source is Sealed or source.__class__ is Sealed:
            return getattr(model_instance, self.attname)
        value = self.digest(source)
        setattr(model_instance, self.attname, value)
        return value

    def recompute(self, model_instance):
        """Set the index from the (decrypted) source value, whether or not it was assigned."""
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except FieldDoesNotExist:
            source = None
        if not isinstance(source, EncryptedField):
            errors.append(
                checks.Error(
                    f"BlindIndexField {self.label} has source={self.source!r}, which is not an encrypted field "
                    "of this model.",
                    obj=self,
                    id="privacy.E006",
                )
            )
        return errors
