"""Key rotation: re-wrap data keys under the newest master key; recompute blind indexes.

Master-key rotation, step by step (also in `rotate_keys --help`):

1. ``python manage.py createkeys --add-master-key`` prints ``FIELD_ENCRYPTION_KEYS`` with a new
   key in front of the current ones; deploy it. New data keys are now wrapped by the new key.
2. ``python manage.py rotate_keys`` re-wraps every live subject key still under an older master
   key, in batches, each batch one transaction. It can be interrupted and run again: it resumes
   with whatever is left. No field ciphertext is read or written.
3. ``python manage.py rotate_keys --check`` exits 0 once no live key is under an older master
   key; then the old key can be removed from ``FIELD_ENCRYPTION_KEYS``. Backups taken before
   step 2 hold keys wrapped by the old key and become unreadable once it is gone.

After changing ``BLIND_INDEX_KEY`` or ``CIPHER_SUITE``, ``rotate_keys --blind-index`` recomputes
every blind index from the decrypted values.
"""

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from .errors import DecryptionError
from .keyring import get_keyring
from .personal import blind_index_fields, key_fields, personal_models


def keys_under_old_master_keys():
    """{master key id: live subject keys it still wraps}, for every id but the newest."""
    from privacy.models import SubjectKey

    newest = get_keyring().newest.key_id
    rows = SubjectKey.objects.not_under(newest).values("master_key_id").annotate(n=Count("pk")).order_by()
    return {row["master_key_id"]: row["n"] for row in rows}


def rewrap_subject_keys(*, batch_size=1000, progress=None):
    """Re-wrap every live subject key not under the newest master key; return (done, failed).

    `failed` maps a master key id that is not configured (or does not open its keys) to the
    number of keys left under it. `progress(label, done, total)` is called after each batch.
    Each batch is read without locks and written back only where the row still holds the
    wrapped key that was read: a key shredded (or re-wrapped by another run) meanwhile is left
    as it now is, never resurrected.
    """
    from privacy.models import SubjectKey

    keyring = get_keyring()
    pending = SubjectKey.objects.not_under(keyring.newest.key_id).only("pk", "wrapped_key", "master_key_id", "suite")
    total = pending.count()
    done = 0
    failed = {}
    last_pk = None
    while True:
        batch = pending.order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        batch = list(batch[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        now = timezone.now()
        swaps = []
        for key in batch:
            read = key.wrapped_key
            try:
                key.rewrap(keyring, at=now)
            except DecryptionError:
                failed[key.master_key_id] = failed.get(key.master_key_id, 0) + 1
            else:
                swaps.append((key, read))
        with transaction.atomic():
            done += _swap_wrapped_keys(swaps, keyring.newest.key_id, now)
        if progress:
            progress(SubjectKey._meta.label, done, total)
    return done, failed


def _swap_wrapped_keys(swaps, master_key_id, at):
    """Store re-wrapped keys where the row still holds the wrapped key read; return rows written."""
    from privacy.models import SubjectKey

    if not swaps:
        return 0
    if connection.vendor != "postgresql":
        return sum(
            SubjectKey.objects.filter(pk=key.pk, wrapped_key=read).update(
                wrapped_key=key.wrapped_key, master_key_id=master_key_id, rotated_at=at
            )
            for key, read in swaps
        )
    ids = [key.pk for key, _read in swaps]
    # One statement per batch (Django's bulk_update builds a CASE per row: most of the time at
    # 200k keys). The key range lets the planner fetch the rows by primary key.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_subjectkey AS k SET wrapped_key = v.new, master_key_id = %s, rotated_at = %s"
            " FROM unnest(%s::uuid[], %s::bytea[], %s::bytea[]) AS v(id, old, new)"
            " WHERE k.id = v.id AND k.id BETWEEN %s AND %s AND k.wrapped_key = v.old",
            [
                master_key_id,
                at,
                ids,
                [bytes(read) for _key, read in swaps],
                [key.wrapped_key for key, _read in swaps],
                min(ids),
                max(ids),
            ],
        )
        return cursor.rowcount


def recompute_blind_indexes(*, batch_size=1000, progress=None):
    """Recompute every blind index from the decrypted source values; return the rows written.

    Rows whose key was shredded are skipped (their indexes were cleared when it was).
    `progress(label, done, total)` is called after each batch.
    """
    done = 0
    for model in personal_models():
        blind = blind_index_fields(model)
        if not blind:
            continue
        sources = sorted({b.source for b in blind})
        rows = (
            model._base_manager.select_related(*key_fields(model))
            .filter(subject_key__wrapped_key__isnull=False)
            .only("pk", *key_fields(model), *sources, *(b.name for b in blind))
            .order_by("pk")
        )
        total = rows.count()
        model_done = 0
        last_pk = None
        while True:
            with transaction.atomic():
                batch = rows.filter(pk__gt=last_pk) if last_pk is not None else rows
                batch = list(batch.select_for_update(of=("self",))[:batch_size])  # no edit in between
                if not batch:
                    break
                last_pk = batch[-1].pk
                for obj in batch:
                    for field in blind:
                        field.recompute(obj)
                write_columns(model, batch, [b.name for b in blind])
            model_done += len(batch)
            if progress:
                progress(model._meta.label, model_done, total)
        done += model_done
    return done


def write_columns(model, objs, field_names):
    """Write the named fields of `objs` (already prepared, no save logic) in one statement.

    On PostgreSQL one ``UPDATE ... FROM unnest(arrays)``: linear in the batch, where Django's
    ``bulk_update`` builds a CASE with one branch per row for each column (quadratic, and most
    of the rotation time). Elsewhere, ``bulk_update``.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(objs, field_names)
        return
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in field_names)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%s::{f.rel_db_type(connection) if f.is_relation else f.db_type(connection)}[]" for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields[1:])
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs] for f in fields]
    # The key range (batches are read in key order) lets the planner fetch the batch's rows by
    # primary key instead of hashing the whole table for every batch.
    where = f"{table}.{pk} = v.{pk} AND {table}.{pk} BETWEEN %s AND %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({columns}) WHERE {where}",  # noqa: S608 - identifiers from model metadata
            [*params, min(params[0]), max(params[0])],
        )
