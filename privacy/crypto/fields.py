"""Encrypted model fields: personal values are encrypted in the application, per data subject.

    class Contact(PersonalDataModel):
        name = EncryptedCharField(_("姓名"), max_length=50)
        mobile = EncryptedCharField(_("手机"), max_length=30, blank=True)
        mobile_bidx = BlindIndexField(source="mobile", normalizer="mobile")

Stored token
    ``zs1$<suite>$<base64(nonce | ciphertext | tag)>`` in a ``text`` column: the format version
    and the suite travel with every value. The master key id does not: it lives on the row's
    `privacy.SubjectKey`, because rotation re-wraps the data key without touching field tokens,
    so an id copied into the token would be stale after the first rotation. The data key is
    found through the model's foreign key to `SubjectKey` (``key_field``, default
    ``subject_key``). The associated data binds ``<app_label>.<model>.<field>``, so a token copied
    into another field or model fails to decrypt; renaming an encrypted field or its model
    therefore needs its values re-encrypted.

Reading
    `from_db_value` returns a `Sealed` token (not a str, its repr shows no data). The attribute
    descriptor decrypts it on first access with the row's key and caches the plaintext as a
    `PersonalStr`. ``values()``/``values_list()`` yield `Sealed` objects, never
    plaintext; ``dumpdata`` writes the ciphertext tokens (and loading them back yields `Sealed`).
    A missing or wrong master key, a tampered token or a token from another field raises
    `DecryptionError` naming the key id; a shredded subject raises `SubjectKeyShredded`.

Writing
    Encryption happens when the row is saved, in `pre_save` — the hook where Django hands the
    field its row, for save(), bulk_create() and (through `PersonalQuerySet`) bulk_update();
    `get_prep_value` then only writes the token (never `get_db_prep_save`: `bulk_update`
    passes a ``Case``/``When`` there). Assigned plaintext is a plain `str` until saved; after
    reading or saving, the attribute holds a `PersonalStr` that carries its own token, so a
    value saved back unchanged keeps its ciphertext and ``b.mobile = a.mobile`` is encrypted
    afresh under ``b``'s key. A string that already looks like a token is refused (no double
    encryption). A plaintext that reaches the database without its row — ``QuerySet.update()``
    on a plain queryset, a ``Value()`` — raises `EncryptionError`; `PersonalQuerySet.update()`
    turns such an update into a per-row `bulk_update`.

Querying
    Only ``isnull`` works on an encrypted field. Every other lookup (``filter``, ``exclude``,
    admin ``search_fields``) raises `FieldError` pointing at the blind index
    (`Contact.objects.search_mobile`). System checks refuse ``unique``, ``db_index``, indexes,
    unique constraints and ``Meta.ordering`` on an encrypted field.
"""

import binascii
import os
import re

from cryptography.exceptions import InvalidTag
from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext_lazy as _

from .errors import DecryptionError, EncryptionError
from .masking import AUDIT_MASK
from .suites import NONCE_SIZE, SUITES

FORMAT_VERSION = "zs1"
_PREFIXES = {name: f"{FORMAT_VERSION}${name}$" for name in SUITES}
_PREFIX_LENGTH = len(FORMAT_VERSION) + 5  # "zs1$" + 3-letter suite + "$"
assert all(len(prefix) == _PREFIX_LENGTH for prefix in _PREFIXES.values())
_TOKEN_RE = re.compile(r"zs\d+\$[a-z0-9]+\$")
_DEFERRED = object()
_b2a = binascii.b2a_base64
_a2b = binascii.a2b_base64
_urandom = os.urandom
_new_sealed = object.__new__

LOOKUP_ERROR = (
    "加密字段 {label} 不能用于查询、排序或搜索（只支持 isnull）；精确查找请使用盲索引，"
    "例如 Contact.objects.search_mobile() / search_email()。 "
    "(Encrypted field {label} cannot be filtered, searched or sorted, only `isnull` works: "
    "use its blind index for exact matches, e.g. Contact.objects.search_mobile() / search_email().)"
)


def looks_like_token(value):
    """Whether `value` has the shape of a stored ciphertext token (any format version)."""
    return value.startswith("zs") and _TOKEN_RE.match(value) is not None


def reject_token_input(value):
    """Form validator: a pasted ciphertext token is not a personal value."""
    if isinstance(value, str) and looks_like_token(value):
        raise ValidationError(_("该值看起来是密文，不能作为内容保存。"), code="ciphertext")


class Sealed:
    """A ciphertext token read from the database and not (yet) decrypted.

    Deliberately not a `str`: it cannot be rendered or compared as if it were the value.
    """

    __slots__ = ("token",)

    def __init__(self, token):
        self.token = token

    def __repr__(self):
        return f"<Sealed {self.token[: _PREFIX_LENGTH - 1]}>"

    def __str__(self):
        return AUDIT_MASK

    def __eq__(self, other):
        if isinstance(other, Sealed):
            return other.token == self.token
        return NotImplemented

    def __hash__(self):
        return hash(self.token)


class PersonalStr(str):
    """The plaintext of an encrypted field as stored: read from, or just written to, a token.

    ``_src`` is ``(field, subject key, token)``: `token` is this text encrypted for `field` under
    that key, so a value saved back unchanged keeps its ciphertext. Assigned plaintext is a plain
    `str` until saved. Copies are the same object; pickling writes the token, never the text.
    A slot rather than an instance dict: one is made for every value read or written.
    """

    __slots__ = ("_src",)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (Sealed, (self._src[2],))


class EncryptedAttribute(DeferredAttribute):
    """Instance attribute of an encrypted field: decrypts on first read, checks assignments."""

    def __init__(self, field):
        super().__init__(field)
        self.attname = field.attname

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        values = instance.__dict__
        try:
            value = values[self.attname]
        except KeyError:  # deferred: load it (as a Sealed token)
            value = super().__get__(instance, cls)
        if value.__class__ is not Sealed:
            return value
        field = self.field
        token = value.token
        key = instance._state.fields_cache.get(field.key_field)
        try:
            # field.decrypt() inlined for a key already unwrapped, the common case (one call less
            # per value read). Any other case, and every failure, goes through decrypt(), which
            # looks the key up, unwraps it, and raises the diagnosis.
            cipher = key._data_cipher
            blob = _a2b(token[_PREFIX_LENGTH:])
            value = PersonalStr(cipher.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], field._aad).decode())
        except (AttributeError, InvalidTag, ValueError):
            value = field.decrypt(instance, token)
        else:
            value._src = (field, key, token)
        values[self.attname] = value
        return value

    def __set__(self, instance, value):
        cls = value.__class__
        if cls is str:  # the common assignment, checked here without a call
            if value.startswith("zs") and looks_like_token(value):
                self.field.refuse_token()
        elif value is not None and cls is not Sealed:  # a loaded row's Sealed token passes as is
            value = self.field.assigned(instance, value)
        instance.__dict__[self.attname] = value


class EncryptedField(models.TextField):
    """Base class of the encrypted fields; see the module docstring."""

    descriptor_class = EncryptedAttribute

    def __init__(self, *args, key_field="subject_key", **kwargs):
        self.key_field = key_field
        self._key_attname = f"{key_field}_id"  # a foreign key's attname, whatever its db_column
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.key_field != "subject_key":
            kwargs["key_field"] = self.key_field
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        self.label = f"{cls._meta.label_lower}.{name}"
        self._aad = self.label.encode()

    def subject_key(self, instance):
        """The row's `SubjectKey` (from the select_related cache when present), or None."""
        key = instance._state.fields_cache.get(self.key_field)
        if key is None and instance.__dict__.get(self._key_attname, _DEFERRED) is not None:
            key = getattr(instance, self.key_field)  # one query without select_related
        return key

    # --- assignment and encryption ------------------------------------------------------------

    def assigned(self, instance, value):
        """What the attribute stores when `value` is assigned to it on `instance`."""
        cls = value.__class__
        if cls is PersonalStr:
            src = value._src
            if src[0] is self:
                key = self.subject_key(instance)
                if src[1] is key:
                    return value
                if key is not None and src[1].pk == key.pk:  # e.g. refresh_from_db: this row's own token
                    rebound = PersonalStr(value)
                    rebound._src = (self, key, src[2])
                    return rebound
            return str(value)  # another row's or field's value: encrypted afresh on save
        if value is None or cls is Sealed:
            return value
        if cls is not str:
            value = str(value)
        if value.startswith("zs") and looks_like_token(value):
            self.refuse_token()
        return value

    def refuse_token(self):
        raise EncryptionError(
            f"{self.label}: 赋值看起来已经是密文，拒绝重复加密。 (The value assigned to {self.label} "
            "looks like a ciphertext token; refusing to encrypt it again.)"
        )

    def pre_save(self, model_instance, add):
        """Encrypt an assigned value under the row's key; leave stored and unchanged values alone.

        This is where every save path (save(), bulk_create(), PersonalQuerySet.bulk_update())
        hands the field its row. The result, a `PersonalStr` carrying its token, replaces the
        attribute, and `get_prep_value` writes the token.
        """
        values = model_instance.__dict__
        try:
            value = values[self.attname]
        except KeyError:
            value = getattr(model_instance, self.attname)
        if not value or value.__class__ is Sealed:
            return value
        key = model_instance._state.fields_cache.get(self.key_field) or self.subject_key(model_instance)
        if value.__class__ is PersonalStr and value._src[1] is key:
            return value
        if key is None:
            raise EncryptionError(
                f"{self.label}: 该行还没有数据密钥。 (Row {model_instance.pk} has no subject key yet: models "
                "with encrypted fields inherit PersonalDataModel, whose save() and bulk_create() provision one.)"
            )
        try:
            cipher = key._data_cipher  # cached on the key once unwrapped
        except AttributeError:
            cipher = key.data_cipher()
        nonce = _urandom(NONCE_SIZE)  # suites.seal(), inlined: this runs for every value written
        blob = nonce + cipher.encrypt(nonce, value.encode(), self._aad)
        token = _PREFIXES[key.suite] + _b2a(blob, newline=False).decode()
        value = PersonalStr(value)
        value._src = (self, key, token)
        values[self.attname] = value
        return value

    def get_db_prep_save(self, value, connection):
        # Fast path for the common case; everything else (expressions too) takes Django's path,
        # which ends in get_prep_value.
        if value.__class__ is PersonalStr:
            return value._src[2]
        return super().get_db_prep_save(value, connection)

    def get_prep_value(self, value):
        if not value:
            return value
        cls = value.__class__
        if cls is PersonalStr:
            return value._src[2]
        if cls is Sealed:
            return value.token
        raise EncryptionError(
            f"{self.label}: 明文没有所属的行，无法加密。 (A plaintext for {self.label} reached the database "
            "without its row, e.g. through QuerySet.update() on a plain queryset or a Value() expression: "
            "assign it to the instance and save, or use the PersonalQuerySet's update()/bulk_update().)"
        )

    # --- decryption -----------------------------------------------------------------------------

    def decrypt(self, instance, token):
        """The plaintext of `token`, stored in this field of `instance`."""
        key = instance._state.fields_cache.get(self.key_field) or self.subject_key(instance)
        if key is None:
            raise DecryptionError(
                f"{self.label}: row {instance.pk} holds a ciphertext but no subject key; refusing to show it."
            )
        try:
            cipher = key._data_cipher  # cached on the key once unwrapped
        except AttributeError:
            cipher = key.data_cipher()
        try:
            # Non-strict base64 is enough: whatever it decodes must still pass the GCM tag, which
            # also rejects a token of another suite (its data key has another length and value).
            blob = _a2b(token[_PREFIX_LENGTH:])  # standard base64: a text column needs no URL alphabet
            value = PersonalStr(cipher.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], self._aad).decode())
        except (InvalidTag, ValueError):
            if not token.startswith(_PREFIXES.get(key.suite, "\0")):
                raise DecryptionError(
                    f"{self.label}: row {instance.pk} does not hold a {FORMAT_VERSION}/{key.suite} token "
                    f"(subject key {key.pk})."
                ) from None
            raise DecryptionError(
                f"{self.label}: 行 {instance.pk} 的密文校验失败。 (Ciphertext of row {instance.pk} failed "
                f"authentication under subject key {key.pk}, master key {key.master_key_id}, suite "
                f"{key.suite}: altered, or copied from another row or field.)"
            ) from None
        value._src = (self, key, token)
        return value

    # --- Django field protocol ----------------------------------------------------------------

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        sealed = _new_sealed(Sealed)  # Sealed(value) without its __init__ frame: once per value read
        sealed.token = value
        return sealed

    def to_python(self, value):
        """Keep stored values and tokens as they are (a token becomes `Sealed`, e.g. in loaddata)."""
        if value is None or value.__class__ in (PersonalStr, Sealed):
            return value
        value = value if isinstance(value, str) else str(value)
        return Sealed(value) if looks_like_token(value) else value

    def value_to_string(self, obj):
        """Serialisation (dumpdata, auditlog serialized data) writes the ciphertext token."""
        return self.get_prep_value(self.pre_save(obj, False))

    def formfield(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), reject_token_input]
        return super().formfield(**kwargs)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(LOOKUP_ERROR.format(label=getattr(self, "label", self.name)))

    def get_transform(self, lookup_name):
        raise FieldError(LOOKUP_ERROR.format(label=getattr(self, "label", self.name)))

    # --- system checks --------------------------------------------------------------------------

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_not_searchable(), *self._check_key_field()]

    def _check_not_searchable(self):
        meta = self.model._meta
        errors = []
        in_unique = any(self.name in getattr(c, "fields", ()) for c in meta.constraints) or any(
            self.name in together for together in meta.unique_together
        )
        if self.unique or self.primary_key or in_unique:
            errors.append(
                checks.Error(
                    f"Encrypted field {self.label} cannot be unique: equal values have different ciphertexts.",
                    hint="Put a unique constraint on its BlindIndexField instead.",
                    obj=self,
                    id="privacy.E001",
                )
            )
        indexed = {name.lstrip("-") for index in meta.indexes for name in index.fields}
        if self.db_index or self.name in indexed:
            errors.append(
                checks.Error(
                    f"Encrypted field {self.label} cannot be indexed: an index over ciphertext is useless.",
                    hint="Search through a BlindIndexField (it is indexed).",
                    obj=self,
                    id="privacy.E002",
                )
            )
        ordering = {str(item).lstrip("-?") for item in meta.ordering or () if isinstance(item, str)}
        if {self.name, self.attname} & ordering:
            errors.append(
                checks.Error(
                    f"Encrypted field {self.label} cannot be in Meta.ordering: ciphertext sorts randomly.",
                    obj=self,
                    id="privacy.E003",
                )
            )
        return errors

    def _check_key_field(self):
        from privacy.models import SubjectKey

        try:
            key_field = self.model._meta.get_field(self.key_field)
        except FieldDoesNotExist:
            key_field = None
        related = key_field.related_model if key_field is not None else None
        if related is not None and not isinstance(related, str):  # a string: unresolved, Django reports it
            related = related._meta.label
        is_key_relation = (
            key_field is not None
            and (key_field.many_to_one or key_field.one_to_one)
            and str(related).lower() == SubjectKey._meta.label_lower
        )
        if not is_key_relation:
            return [
                checks.Error(
                    f"Encrypted field {self.label} names key_field={self.key_field!r}, which is not a "
                    "ForeignKey/OneToOneField to privacy.SubjectKey.",
                    hint="Inherit privacy.crypto.PersonalDataModel, or point key_field at such a field.",
                    obj=self,
                    id="privacy.E004",
                )
            ]
        return []


class EncryptedCharField(EncryptedField):
    """A short personal value (name, mobile, e-mail, ID number). `max_length` limits the plaintext;
    the column is ``text`` because the token is longer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.TextInput, **kwargs})

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.max_length is None:
            errors.append(
                checks.Error("EncryptedCharField needs max_length (of the plaintext).", obj=self, id="privacy.E005")
            )
        return errors


class EncryptedTextField(EncryptedField):
    """Personal free text (follow-up notes, complaint descriptions)."""
