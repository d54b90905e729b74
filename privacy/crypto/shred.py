"""Crypto-shredding: destroy a data subject's key so that none of its ciphertexts can be read again.

`shred_subject` is the one function erasure flows call (contact erasure, data-subject deletion
requests, retention purges that anonymise). It is idempotent and runs in one transaction.
"""

from django.db import models, transaction

from .personal import PersonalDataModel, blind_index_fields, encrypted_fields, personal_models, shred_key_ids


def shred_subject(target, *, cascade=True, using=None):
    """Destroy the data key of `target` and clear its blind indexes; return the keys destroyed.

    `target` is a `PersonalDataModel` row or a `privacy.SubjectKey`. With `cascade`, the keys of
    the records the row owns are destroyed too: `PersonalDataModel` rows that point to it with
    ``on_delete=CASCADE``, recursively (a contact's follow-ups, for instance). Afterwards every
    ciphertext of those rows — in the table, in an export or a dump of the data tables taken
    before — raises `SubjectKeyShredded` when read with the live keyring. Ciphertext columns are
    left as they are (they are noise now); the caller anonymises whatever else it must.
    """
    from privacy.models import SubjectKey

    with transaction.atomic(using=using):
        if isinstance(target, SubjectKey):
            rows = {}
            for model in personal_models():
                pks = list(model._base_manager.using(using).filter(subject_key=target.pk).values_list("pk", flat=True))
                if pks:
                    rows[model] = pks
            key_ids = {target.pk}
        else:
            rows = {type(target)._meta.concrete_model: [target.pk]}
            key_ids = {target.subject_key_id}
        if cascade:
            key_ids |= _collect_owned(rows, using)
        count = shred_key_ids(key_ids, using=using)
        for model, pks in rows.items():
            blind = {f.attname: None for f in blind_index_fields(model)}
            if blind:
                model._base_manager.using(using).filter(pk__in=pks).update(**blind)
    _forget(target)
    return count


def _collect_owned(rows, using):
    """Add to `rows` ({model: [pk]}) every record they own, recursively; return the owned keys."""
    key_ids = set()
    pending = list(rows.items())
    while pending:
        model, pks = pending.pop()
        for relation in model._meta.related_objects:
            child = relation.related_model
            if not (
                relation.on_delete is models.CASCADE
                and (relation.one_to_many or relation.one_to_one)
                and issubclass(child, PersonalDataModel)
            ):
                continue
            owned = (
                child._base_manager.using(using)
                .filter(**{f"{relation.field.name}__in": pks})
                .values_list("pk", "subject_key_id")
            )
            seen = set(rows.get(child, ()))
            new = [(pk, key_id) for pk, key_id in owned if pk not in seen]
            if new:
                rows.setdefault(child, []).extend(pk for pk, _key in new)
                key_ids.update(key_id for _pk, key_id in new)
                pending.append((child, [pk for pk, _key in new]))
    return key_ids


def _forget(target):
    """Drop key material and plaintext that the caller's in-memory object still holds."""
    from privacy.models import SubjectKey

    if isinstance(target, SubjectKey):
        key = target
    else:
        key = target._state.fields_cache.get("subject_key")
        for field in encrypted_fields(type(target)):
            target.__dict__.pop(field.attname, None)  # reloads (and fails) on next access
        for field in blind_index_fields(type(target)):
            target.__dict__[field.attname] = None
    if key is not None:
        key.__dict__.pop("_data_cipher", None)
        key.wrapped_key = None
