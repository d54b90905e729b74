"""Models that hold personal data: the abstract base, its queryset and its manager.

    class ContactQuerySet(PersonalQuerySet):
        def visible_to(self, user): ...

    class Contact(PersonalDataModel):
        name = EncryptedCharField(_("姓名"), max_length=50)
        mobile = EncryptedCharField(_("手机"), max_length=30, blank=True)
        mobile_bidx = BlindIndexField(source="mobile", normalizer="mobile")

        objects = PersonalManager.from_queryset(ContactQuerySet)()

Key ownership
    Every row of a `PersonalDataModel` owns one `privacy.SubjectKey` (`subject_key`, one-to-one),
    provisioned by `save()` and `bulk_create()`. A contact's name, mobile, e-mail, WeChat id and
    ID number are encrypted under the contact's key. Free text — follow-up notes, complaint
    descriptions — is encrypted under the key of its own record, not of the contact it mentions:
    a note can name several people or none, outlives no one's consent by accident, and deleting
    or anonymising the record must destroy exactly its text. Erasure reaches it two ways:

    - deleting a row shreds its key (a ``post_delete`` receiver, so cascades are covered too);
    - `shred_subject(contact)` shreds the contact's key and the keys of every record the contact
      owns — a record is owned when it is a `PersonalDataModel` that points to the contact with
      ``on_delete=CASCADE`` (it would be deleted with the contact), recursively.

Queries
    The default queryset ``select_related``s the subject key (no N+1 when a list decrypts a
    page); ``only()`` must then name ``subject_key`` too, or call ``select_related(None)``.
    `PersonalQuerySet.update()` touching an encrypted field loads the rows and writes them
    through `bulk_update`, which encrypts under each row's own key and refreshes the dependent
    blind indexes. `search_mobile(value)` / `search_email(value)` filter by blind index.
"""

from contextvars import ContextVar
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import models, transaction
from django.db.models.signals import class_prepared, post_delete, pre_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.db import any_of

from .blind import BlindIndexField
from .errors import EncryptionError
from .fields import EncryptedField, Sealed
from .keyring import data_keys, get_keyring

# Set while PersonalQuerySet.bulk_update runs: the UPDATE it issues carries ciphertext already.
_in_bulk_update = ContextVar("privacy_crypto_in_bulk_update", default=False)


@cache
def encrypted_fields(model):
    """The encrypted fields of `model` (concrete, in declaration order)."""
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, EncryptedField))


@cache
def blind_index_fields(model):
    """The blind-index fields of `model`."""
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField))


@cache
def key_fields(model):
    """Names of the foreign keys to `SubjectKey` that the encrypted fields of `model` use."""
    return tuple(dict.fromkeys(f.key_field for f in encrypted_fields(model)))


def personal_models():
    """Every concrete, installed `PersonalDataModel`."""
    return [model for model in apps.get_models() if issubclass(model, PersonalDataModel) and not model._meta.proxy]


def provision_subject_keys(objs, *, using=None):
    """Give every object of `objs` without a subject key a new one (one INSERT for all)."""
    from privacy.models import SubjectKey

    missing = [obj for obj in objs if obj.subject_key_id is None]
    if not missing:
        return []
    keyring = get_keyring()
    keys = [SubjectKey.generate(keyring=keyring) for _obj in missing]
    SubjectKey.objects.using(using).bulk_create(keys)
    for obj, key in zip(missing, keys, strict=True):
        obj.subject_key = key
    return missing


class PersonalQuerySet(models.QuerySet):
    """QuerySet of a `PersonalDataModel`: blind-index search, per-row encryption in bulk writes."""

    def search_mobile(self, value):
        """Rows whose mobile (normalised) equals `value`'s."""
        return self.search_blind_index("mobile", value)

    def search_email(self, value):
        """Rows whose e-mail (normalised) equals `value`'s."""
        return self.search_blind_index("email", value)

    def search_blind_index(self, normalizer, value):
        fields = [f for f in blind_index_fields(self.model) if f.normalizer == normalizer]
        if len(fields) != 1:
            raise FieldError(f"{self.model._meta.label} has {len(fields)} blind indexes of kind {normalizer!r}, not 1.")
        digests = fields[0].lookup_digests(value)
        if not digests:
            return self.none()
        return self.filter(**{f"{fields[0].name}__in": digests})

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        provision_subject_keys(objs, using=self.db)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        """`QuerySet.bulk_update` that also writes the blind indexes of the encrypted fields named."""
        objs = list(objs)
        meta = self.model._meta
        names = [meta.get_field(name).name for name in fields]
        touched_encrypted = [f for f in encrypted_fields(self.model) if f.name in names]
        touched_blind = [b for b in blind_index_fields(self.model) if b.source in names]
        if touched_encrypted and provision_subject_keys(objs, using=self.db) and "subject_key" not in names:
            names.append("subject_key")
        names += [b.name for b in touched_blind if b.name not in names]
        for obj in objs:
            # What save() would do: index the assigned values, encrypt them under the row's key.
            for field in (*touched_blind, *touched_encrypted):
                field.pre_save(obj, False)
        token = _in_bulk_update.set(True)
        try:
            return super().bulk_update(objs, names, batch_size=batch_size)
        finally:
            _in_bulk_update.reset(token)

    def update(self, **kwargs):
        """`QuerySet.update`; with an encrypted field, a per-row `bulk_update` of the matched rows."""
        if _in_bulk_update.get():
            return super().update(**kwargs)
        meta = self.model._meta
        names = {meta.get_field(name).name: value for name, value in kwargs.items()}  # attnames too
        computed = {b.name for b in blind_index_fields(self.model)} | set(key_fields(self.model))
        if computed & names.keys():
            raise EncryptionError(
                f"{sorted(computed & names.keys())}: maintained by the encryption layer, not updated directly."
            )
        encrypted = {f.name for f in encrypted_fields(self.model)} & names.keys()
        if not encrypted:
            return super().update(**kwargs)
        if any(hasattr(names[name], "resolve_expression") for name in encrypted):
            raise EncryptionError(
                f"{sorted(encrypted)}: an SQL expression cannot compute over ciphertext; assign Python values."
            )
        self._not_support_combined_queries("update")
        if self.query.is_sliced:
            raise TypeError("Cannot update a query once a slice has been taken.")
        with transaction.atomic(using=self.db, savepoint=False):
            rows = (
                self.model._base_manager.db_manager(self.db)
                .select_related(*key_fields(self.model))  # not empty: an encrypted field is named
                .filter(pk__in=self.order_by().values("pk"))
                .select_for_update(of=("self",))
            )
            objs = list(rows)
            for obj in objs:
                for name, value in kwargs.items():
                    setattr(obj, name, value)
            type(self)(model=self.model, using=self.db).bulk_update(objs, list(names))
        return len(objs)

    update.alters_data = True


class PersonalManager(models.Manager.from_queryset(PersonalQuerySet)):
    """Default manager of a `PersonalDataModel`: selects the subject key with every row."""

    def get_queryset(self):
        queryset = super().get_queryset()
        related = key_fields(self.model)
        return queryset.select_related(*related) if related else queryset


class PersonalDataModel(models.Model):
    """Abstract base of every model whose rows hold personal data (see the module docstring)."""

    subject_key = models.OneToOneField(
        "privacy.SubjectKey",
        verbose_name=_("数据密钥"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = PersonalManager()

    class Meta:
        abstract = True

    def __getstate__(self):
        """Pickle (and deep-copy) encrypted values as their tokens, never as plaintext.

        An assigned value is encrypted first; only a row that never had a subject key (never
        saved) keeps its assigned plaintext.
        """
        state = super().__getstate__()
        for field in encrypted_fields(type(self)):
            value = state.get(field.attname)
            if value and value.__class__ is not Sealed and field.subject_key(self) is not None:
                state[field.attname] = Sealed(field.get_prep_value(field.pre_save(self, False)))
        return state

    def save(self, *args, **kwargs):
        """Provision the subject key if missing; keep blind indexes in `update_fields` in step."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            update_fields = set(update_fields)
        if self.subject_key_id is None:
            provision_subject_keys([self], using=kwargs.get("using") or self._state.db)
            if update_fields is not None:
                update_fields.add("subject_key")
        if update_fields:
            update_fields |= {b.name for b in blind_index_fields(type(self)) if b.source in update_fields}
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    save.alters_data = True


def shred_key_ids(key_ids, *, using=None):
    """Destroy the given subject keys (NULL the wrapped key) and forget them in this process."""
    from privacy.models import SubjectKey

    key_ids = [key_id for key_id in key_ids if key_id is not None]
    if not key_ids:
        return 0
    count = (
        SubjectKey.objects.using(using)
        .filter(any_of("pk", key_ids), wrapped_key__isnull=False)
        .update(wrapped_key=None, shredded_at=timezone.now())
    )
    data_keys.evict(key_ids)
    return count


def _unseal_before_delete(sender, instance, **kwargs):
    """Decrypt the row's values before its key goes, for post_delete receivers (auditlog's diff).

    Values of an already shredded subject read as empty: there is nothing left to log.
    """
    from .errors import SubjectKeyShredded

    for field in encrypted_fields(sender):
        try:
            getattr(instance, field.attname)
        except SubjectKeyShredded:
            instance.__dict__[field.attname] = ""


def _shred_deleted_row_key(sender, instance, using, **kwargs):
    shred_key_ids([instance.subject_key_id], using=using)


def _connect_delete_shredding(sender, **kwargs):
    # Connected per model, not for every sender: other models keep Django's fast deletes.
    if issubclass(sender, PersonalDataModel) and not sender._meta.abstract:
        pre_delete.connect(_unseal_before_delete, sender=sender, dispatch_uid=f"privacy-unseal-{sender._meta.label}")
        post_delete.connect(_shred_deleted_row_key, sender=sender, dispatch_uid=f"privacy-shred-{sender._meta.label}")


class_prepared.connect(_connect_delete_shredding)
