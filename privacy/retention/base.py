"""What the retention engine purges: the `Category` base class, its registry and shared helpers.

One `Category` per data category says which rows are expired under a rule (`candidates`, a
queryset ordered by id; `candidate_ids` yields them), which of a claimed batch may still go
(`still_due`, exact holds re-checked), and how to delete or anonymise a batch of ids. The
engine (`privacy.retention.engine`) walks the rules and calls them batch by batch.

Categories are registered with `@register` in the module of the concern whose records they purge:
`privacy.retention.categories` (contacts, follow-ups, complaints, import batches, the audit log),
`privacy.consent.retention` (consent evidence), `privacy.selfservice.retention` (links).
"""

import logging

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.lookups import IsNull

from privacy.retention.models import RetentionAction, RetentionCategory
from zhaoshang.core.db import any_of

from .prepared import Prepared

logger = logging.getLogger(__name__)

REDACTION_REASON = "retention"


def _installed(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _live_key(ref="subject_key_id"):
    """Exists-condition: the row's subject key is not shredded (= not anonymised yet)."""
    SubjectKey = apps.get_model("privacy", "SubjectKey")
    return Exists(SubjectKey.objects.filter(pk=OuterRef(ref), wrapped_key__isnull=False))


def _none(queryset, probe=False):
    """``NOT EXISTS (queryset)``; with `probe`, written as ``(SELECT pk … LIMIT 1) IS NULL``.

    Same rows, different plans. PostgreSQL turns a NOT EXISTS into an anti-join: right for
    counting a whole table (one hashed pass), wrong for a claim of 500 rows — expecting few
    matches (few projects still going, few recent follow-ups) it materialises a scan of the
    WHOLE inner table once per claim (13 ms per batch at 20k follow-ups, 60 ms at 100k, growing
    with the table). A scalar sub-select (`probe`, used by claims, which also run with sequential
    scans off) stays a per-row probe of the foreign-key index: bounded by the rows claimed.
    Never use the scalar form with sequential scans on: the planner may then answer each probe
    with a scan of the whole inner table (3 s to count 20k contacts).
    """
    if probe:
        return IsNull(Subquery(queryset.order_by().values("pk")[:1]), True)
    return ~Exists(queryset)


def _raw_delete(queryset):
    return queryset._raw_delete(queryset.db)


def _redact(*, contact_ids=(), objects=(), reference=""):
    from audit.services import redact_entries_for

    return redact_entries_for(
        contact_ids=contact_ids, objects=objects, reason=REDACTION_REASON, reference=reference, include_related=True
    )


def _delete_files(names, storage):
    """Remove stored files once the batch has committed (a rollback keeps them)."""
    names = [n for n in names if n]
    if names:

        def remove():
            for name in names:
                try:
                    storage.delete(name)
                except OSError:
                    logger.warning("retention: could not delete a stored file of a purged record")

        transaction.on_commit(remove)


def _cascade_rest(model, ids, handled, using):
    """Delete or detach rows of relations `handled` does not cover (models added by later issues)."""
    for relation in model._meta.related_objects:
        child = relation.related_model
        if child in handled or relation.many_to_many:
            continue
        rows = child._base_manager.using(using).filter(any_of(relation.field.name, ids))
        on_delete = relation.on_delete
        if on_delete is models.DO_NOTHING:
            continue
        if on_delete is models.SET_NULL:
            rows.update(**{relation.field.name: None})
        elif rows.exists():
            rows.delete()  # the Collector: cascades, PROTECT raises (the batch rolls back, the run records it)


def ledger_purge_allowed(using):
    """Open the consent ledger's privileged delete path for this transaction ([E]'s trigger)."""
    from privacy.consent.services import ledger_purge_allowed as allow

    return allow(using=using)


def _prepared(cache, key, build, using):
    """`Prepared` query `key` of this rule's `cache` (a dict; None: no caching)."""
    if cache is None:
        return lambda *args: list(build(*args))
    if key not in cache:
        cache[key] = Prepared(build, using)
    return cache[key]


def _encrypted_fields(model):
    from privacy.crypto.personal import encrypted_fields

    return encrypted_fields(model)


def _blind_fields(model):
    from privacy.crypto.personal import blind_index_fields

    return blind_index_fields(model)


class Category:
    code = None
    model_label = None

    @property
    def model(self):
        return apps.get_model(self.model_label)  # checked at start-up: `check_registered`

    # Anonymise keeps rows: those whose subject key is shredded already are done.
    keyed = True

    def _expired(self, rule, now, probe=False):
        raise NotImplementedError

    def _held(self, now):
        """Exact per-row condition: the row is under a hold now (None: the category has no holds)."""
        return None

    def _held_fast(self, held):
        """The same from ids read once (`restrictions.HeldSets`), for whole-table claims and counts."""
        return None

    def candidates(self, rule, now, held=None, *, probe=False):
        """Expired, not held, not yet purged rows of this category under `rule` (a queryset).

        With `held` (a `HeldSets`) holds are excluded by id (cheap over many rows); without it
        by the exact per-row conditions.
        """
        queryset = self._expired(rule, now, probe)
        condition = self._held(now) if held is None else self._held_fast(held)
        if condition is not None:
            queryset = queryset.exclude(condition)
        if rule.action == RetentionAction.ANONYMISE and self.keyed:
            queryset = queryset.filter(_live_key())
        return queryset

    def still_due(self, rule, ids, now, *, using, cache=None):
        """The claimed `ids` (locked) that may be purged now: exact holds checked, and for
        anonymise, keys not shredded by another worker meanwhile. One query over <= 500 rows.
        `cache`: the rule's prepared queries (see `Prepared`)."""
        condition = self._held(now)
        anonymise = rule.action == RetentionAction.ANONYMISE and self.keyed
        if condition is None and not anonymise:
            return list(ids)

        def build(ids):
            queryset = self.model._base_manager.using(using).filter(any_of("pk", ids))
            if condition is not None:
                queryset = queryset.exclude(condition)
            if anonymise:
                queryset = queryset.filter(_live_key())
            return queryset.order_by("pk").values_list("pk", flat=True)

        return _prepared(cache, "still_due", build, using)(list(ids))

    def candidate_ids(self, rule, now, *, chunk=2000, held=None):
        """Yield the candidates' ids in id order (keyset pages: no OFFSET, no long cursor)."""
        last = 0
        while True:
            ids = list(
                self.candidates(rule, now, held).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
            )
            yield from ids
            if len(ids) < chunk:
                return
            last = ids[-1]

    def held_count(self, rule, now, held=None):
        """How many expired rows a hold keeps (shown in the run record)."""
        if held is None:
            condition = self._held(now)
        else:
            condition = self._held_fast(held)
        if condition is None:
            return 0
        return self._expired(rule, now).filter(condition).count()

    def apply(self, rule, ids, *, using, reference):
        if rule.action == RetentionAction.ANONYMISE:
            return self.anonymise(ids, using=using, reference=reference)
        return self.delete(ids, using=using, reference=reference)

    def delete(self, ids, *, using, reference):
        raise NotImplementedError

    def anonymise(self, ids, *, using, reference):
        raise NotImplementedError


CATEGORIES = {}


def register(cls):
    """Class decorator: the category purges rows of `cls.model_label` for rules of `cls.code`.

    A concern registers its categories in its own module (privacy/<concern>/retention.py, or
    `privacy.retention.categories` for the records of other apps), imported by `PrivacyConfig.ready`,
    which then runs `check_registered`: a category naming a model that is not installed, or a code
    that is not a `RetentionCategory`, stops start-up.
    """
    existing = CATEGORIES.get(cls.code)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ImproperlyConfigured(f"retention category {cls.code!r} is registered twice")
    CATEGORIES[cls.code] = cls()
    return cls


def check_registered(categories=None):
    """Raise ImproperlyConfigured unless every registered category names an installed model and a known code."""
    for code, category in (CATEGORIES if categories is None else categories).items():
        if code not in RetentionCategory.values:
            raise ImproperlyConfigured(f"retention category {code!r} is not a RetentionCategory")
        try:
            apps.get_model(category.model_label)
        except (LookupError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"retention category {code!r} names model {category.model_label!r}, which is not installed"
            ) from exc


class _CreatedAtRows(Category):
    """A category whose rows simply expire some days after `created_field`."""

    created_field = "created_at"
    file_fields = ()
    keyed = False

    def _expired(self, rule, now, probe=False):
        return self.model._base_manager.filter(**{f"{self.created_field}__lt": rule.cutoff(now)})

    def delete(self, ids, *, using, reference):
        from auditlog.context import disable_auditlog

        model = self.model
        _redact(objects=[(model._meta.label, pk) for pk in ids], reference=reference)
        rows = model._base_manager.using(using).filter(any_of("pk", ids))
        for name in self.file_fields:
            field = model._meta.get_field(name)
            _delete_files(list(rows.values_list(name, flat=True)), field.storage)
        with disable_auditlog():
            return rows.delete()[1].get(model._meta.label, 0)

    anonymise = delete
