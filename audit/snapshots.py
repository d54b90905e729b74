"""Audited updates diff against the row as this process last loaded or saved it, not a re-read.

django-auditlog's update receiver re-reads the row (one SELECT) before every save to diff against
it. For the models of `audit.registry` we keep, on each instance, a snapshot of its column values
as loaded (`from_db`), refreshed (`refresh_from_db`) or last saved (`post_save`), and diff
against an instance rebuilt from it, with auditlog's own `model_instance_diff` and
`_create_log_entry`: the LogEntry (changes, masks, actor, cid, serialized data, pre/post_log
signals) is what auditlog writes, minus the query.

What the snapshot holds: the values exactly as the database returned them. An encrypted field
holds its ciphertext token (`Sealed`, never the plaintext: a value saved in this process is
stored as the token it was written as); JSON, file and other possibly mutable values are
copied, so a change made in place is still seen. A value that is an SQL expression after a save
(`F("n") + 1`, a database default) is not known: it is left out.

The re-read remains the fallback whenever no snapshot fits: an instance built by hand with a pk,
a pk changed since loading, a save to another database, or a field the diff needs that was
deferred or left out. Like auditlog's re-read (which is not locked either), the diff shows what
this save changed relative to the row this process knew; a change another transaction committed
in between, or a `QuerySet.update()` behind the instance's back, is not reported as reverted.
"""

import copy

from auditlog import get_logentry_model
from auditlog.models import _get_manager_from_settings
from auditlog.receivers import _create_log_entry, check_disable
from django.conf import settings
from django.db.models.base import DEFERRED
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_save, pre_save

from privacy.crypto.fields import EncryptedField, PersonalStr, Sealed

# Internal types whose Python values are immutable (str, int, Decimal, date, UUID, bytes, Sealed…).
_IMMUTABLE_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BigIntegerField",
        "IntegerField",
        "SmallIntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "GenericIPAddressField",
        "IPAddressField",
        "DateField",
        "DateTimeField",
        "TimeField",
        "DurationField",
        "DecimalField",
        "FloatField",
        "UUIDField",
        "BinaryField",
        "ForeignKey",
        "OneToOneField",
    }
)

_plans = {}  # model -> _Plan


class _Plan:
    """Per-model constants: the concrete fields in order and how each is snapshotted."""

    def __init__(self, model):
        self.fields = tuple(model._meta.concrete_fields)
        self.count = len(self.fields)
        self.index = {}
        for i, f in enumerate(self.fields):
            self.index[f.name] = self.index[f.attname] = i
        self.encrypted = frozenset(i for i, f in enumerate(self.fields) if isinstance(f, EncryptedField))
        self.mutable = tuple(
            i
            for i, f in enumerate(self.fields)
            if i not in self.encrypted and f.get_internal_type() not in _IMMUTABLE_TYPES
        )
        # FK names whose cached row decrypts the encrypted fields (the subject key)
        self.key_fields = tuple(sorted({self.fields[i].key_field for i in self.encrypted}))
        self.key_attnames = tuple(model._meta.get_field(name).attname for name in self.key_fields)


class Snapshot:
    """The values of one row, aligned with the plan's fields (`DEFERRED` where not known)."""

    __slots__ = ("db", "pk", "values")

    def __init__(self, pk, db, values):
        self.pk = pk
        self.db = db
        self.values = values

    def __repr__(self):  # never the values
        return f"<Snapshot pk={self.pk!r}>"


def _freeze_mutable(value):
    if value.__class__ in (dict, list, set, bytearray):
        return copy.deepcopy(value)
    if isinstance(value, FieldFile):
        return value.name
    return value


def _freeze_saved(plan, i, value):
    """A saved value as the database now holds it, or DEFERRED when that is not known here."""
    if value is DEFERRED or value is None:
        return value
    if i in plan.encrypted:
        cls = value.__class__
        if cls is PersonalStr:
            return Sealed(value._src[2])  # the token written, never the text
        if cls is Sealed or value == "":
            return value
        return DEFERRED  # not encrypted by this save (should not happen): do not keep it
    if hasattr(value, "resolve_expression"):
        return DEFERRED  # F(), Now(), DatabaseDefault…: the value is in the database only
    if i in plan.mutable:
        return _freeze_mutable(value)
    return value


def snapshot_of(instance):
    return getattr(instance._state, "audit_snapshot", None)


def _set(instance, values):
    instance._state.audit_snapshot = Snapshot(instance.pk, instance._state.db, values)


def _from_loaded(plan, instance, values):
    """Snapshot a freshly loaded instance (`values`, as `from_db` received them)."""
    if len(values) == plan.count:
        values = tuple(values)
    else:
        d = instance.__dict__
        values = tuple(d.get(f.attname, DEFERRED) for f in plan.fields)
    if plan.mutable:
        values = list(values)
        for i in plan.mutable:
            if values[i] is not DEFERRED:
                values[i] = _freeze_mutable(values[i])
        values = tuple(values)
    _set(instance, values)


def _after_write(plan, instance, indices, fresh):
    """Record `indices` (None: all fields) from the instance; keep the rest of the old snapshot."""
    snap = snapshot_of(instance)
    if fresh or snap is None or snap.pk != instance.pk or snap.db != instance._state.db:
        values = [DEFERRED] * plan.count
    else:
        values = list(snap.values)
    d = instance.__dict__
    for i in range(plan.count) if indices is None else indices:
        values[i] = _freeze_saved(plan, i, d.get(plan.fields[i].attname, DEFERRED))
    _set(instance, tuple(values))


# --- receivers ------------------------------------------------------------------------------------


def _snapshot_saved(sender, instance, created, update_fields=None, **kwargs):
    plan = _plans.get(sender)
    if plan is None:
        return
    if update_fields is None or created:
        indices = None
    else:
        indices = [plan.index[name] for name in update_fields if name in plan.index]
    _after_write(plan, instance, indices, fresh=created)


def _old_from_snapshot(sender, instance, update_fields, using):
    """An instance of the row as last known, built without a query; None when none fits."""
    plan = _plans.get(sender)
    snap = snapshot_of(instance) if plan is not None else None
    if snap is None or snap.pk != instance.pk or snap.db != (using or instance._state.db):
        return None
    values = snap.values
    if DEFERRED in values:
        from auditlog.registry import auditlog

        options = auditlog.get_model_fields(sender)
        include, exclude = set(options["include_fields"]), set(options["exclude_fields"])
        for i, f in enumerate(plan.fields):
            if values[i] is not DEFERRED or f.name in exclude or (include and f.name not in include):
                continue
            if update_fields is None or f.name in update_fields or f.attname in update_fields:
                return None  # a value the diff needs is not known here: re-read
    old = _ORIGINAL_FROM_DB[sender](sender, snap.db, None, values)
    if plan.key_fields:
        # Decrypting the old tokens needs the same subject key as the instance: share it
        # (the save needs it anyway) instead of a query per instance.
        d = instance.__dict__
        for name, attname in zip(plan.key_fields, plan.key_attnames, strict=True):
            key_id = d.get(attname)
            if key_id is None or old.__dict__.get(attname) != key_id:
                continue
            key = instance._state.fields_cache.get(name)
            if key is None:
                key = getattr(instance, name)
            old._state.fields_cache[name] = key
    return old


@check_disable
def log_update(sender, instance, **kwargs):
    """auditlog's update receiver, diffing against the snapshot instead of a re-read when it can."""
    if instance._state.adding or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    old = _old_from_snapshot(sender, instance, update_fields, kwargs.get("using"))
    if old is None:
        old = _get_manager_from_settings(sender).filter(pk=instance.pk).first()
    _create_log_entry(
        action=get_logentry_model().Action.UPDATE,
        instance=instance,
        sender=sender,
        diff_old=old,
        diff_new=instance,
        fields_to_check=update_fields,
        use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
    )


# --- installation ---------------------------------------------------------------------------------

_ORIGINAL_FROM_DB = {}


def _wrap(model):
    if "from_db" in model.__dict__ and getattr(model.__dict__["from_db"].__func__, "_audit_snapshot", False):
        return
    original_from_db = model.from_db.__func__
    original_refresh = model.refresh_from_db
    _ORIGINAL_FROM_DB[model] = original_from_db

    def from_db(cls, db, field_names, values):
        instance = original_from_db(cls, db, field_names, values)
        plan = _plans.get(cls)
        if plan is not None:
            _from_loaded(plan, instance, values)
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        original_refresh(self, using=using, fields=fields, from_queryset=from_queryset)
        plan = _plans.get(self.__class__)
        if plan is None:
            return
        d = self.__dict__
        if fields is None:
            indices = [i for i, f in enumerate(plan.fields) if f.attname in d]
        else:
            indices = sorted({plan.index[name] for name in fields if name in plan.index} | {plan.index["pk"]})
        _after_write(plan, self, indices, fresh=False)

    from_db._audit_snapshot = True
    refresh_from_db._audit_snapshot = True
    refresh_from_db.alters_data = True
    model.from_db = classmethod(from_db)
    model.refresh_from_db = refresh_from_db


def use_snapshots(registry):
    """Make `registry` connect our update receiver instead of auditlog's (before registering)."""
    registry._signals[pre_save] = log_update


def track(model):
    """Keep snapshots of `model`'s rows (after `auditlog.register(model)`)."""
    plan = _Plan(model)
    plan.index.setdefault("pk", plan.index[model._meta.pk.attname])
    _plans[model] = plan
    _wrap(model)
    post_save.connect(_snapshot_saved, sender=model, dispatch_uid=f"audit-snapshot-{model._meta.label}")


def untrack(model):
    _plans.pop(model, None)
    post_save.disconnect(sender=model, dispatch_uid=f"audit-snapshot-{model._meta.label}")
