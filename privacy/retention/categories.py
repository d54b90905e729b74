"""The retention engine: find expired rows per rule and delete or anonymise them, in batches.

One `Category` per data category says which rows are expired under a rule (`candidates`, a
queryset ordered by id; `candidate_ids` yields them) and how to delete or anonymise a batch of ids.
`purge_run_execute` (in `privacy.services`) walks the active rules; `purge_rule` here does one:

- **Batches.** At most `PURGE_BATCH_SIZE` (≤ 500) rows, each batch its own transaction: claim the
  next ids above the last one seen with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; a plain
  select elsewhere), re-check them under the lock (exact holds; for anonymise, a key another
  worker shredded a moment ago), act set-based (one statement per table for the whole batch,
  ids as one array parameter), write one summary access event and the run's progress, commit.
  `PURGE_BATCH_PAUSE_MS` (default 0) sleeps between batches to leave the web more room.
- **Resumable.** What a committed batch did is final and takes the rows out of the candidates
  (deleted rows are gone; anonymised rows have a shredded key), so a rerun after a crash picks
  up exactly the rows still expired; an uncommitted batch left no trace. Every run uses one
  `now`, so nothing that expires while it runs, let alone anything unexpired, is touched.
- **Two workers.** Skip-locked claims plus the re-check under the lock: no row is processed
  twice, and a worker never waits on the other.
- **Anonymise** crypto-shreds the row's subject key (`privacy.crypto`) and blanks identifying
  text, keeping what statistics need (counts, stages, amounts, dates). **Delete** removes the
  row and the personal data hanging off it (consents, links, requests, complaint identities).
  In both cases audit entries naming the person are redacted and marked first
  (`audit.services.redact_entries_for`), never deleted.

Holds (`privacy.restrictions`): claims and counts exclude the held ids read once per rule
(`HeldSets`: a few queries, no per-row sub-plans over whole tables); every claimed batch is then
re-checked with the exact per-row conditions, so a hold placed while a run goes on still
protects. Floors (`RetentionRule.effective_days`) are applied to every cut-off. Nothing personal
is logged: errors keep the exception class and ids.
"""

import logging
import time

from django.apps import apps
from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull

from privacy.crypto.personal import shred_key_ids
from privacy.models import ClockEvent, PurgeRun, PurgeRunItem, RetentionAction, RetentionCategory
from privacy.models.retention import ALLOWED_CLOCKS, DELETE_ONLY
from zhaoshang.core.db import any_of

from . import restrictions
from .retention_prepared import Prepared

logger = logging.getLogger(__name__)

MAX_BATCH_SIZE = 500
DEFAULT_BATCH_PAUSE_MS = 0
REDACTION_REASON = "retention"


def batch_size():
    return max(1, min(MAX_BATCH_SIZE, getattr(settings, "PURGE_BATCH_SIZE", MAX_BATCH_SIZE)))


def batch_pause():
    """Seconds to sleep between two committed batches (settings.PURGE_BATCH_PAUSE_MS, default 0).

    Each batch is a short transaction already; a pause of a few ms gives the web's queries the
    CPU and I/O on a small machine at the cost of purge throughput.
    """
    return max(0, getattr(settings, "PURGE_BATCH_PAUSE_MS", DEFAULT_BATCH_PAUSE_MS)) / 1000


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
    try:
        from privacy.services import ledger_purge_allowed as allow
    except ImportError:
        allow = None
    if allow is not None:
        try:
            return allow(using=using)
        except TypeError:
            return allow()
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL zhaoshang.purge = 'on'")
    return None


def _prepared(cache, key, build, using):
    """`Prepared` query `key` of this rule's `cache` (a dict; None: no caching)."""
    if cache is None:
        return lambda *args: list(build(*args))
    if key not in cache:
        cache[key] = Prepared(build, using)
    return cache[key]


# --- Categories ---------------------------------------------------------------------------------


class Category:
    code = None
    model_label = None

    @property
    def model(self):
        return _installed(self.model_label)

    def available(self):
        return self.model is not None

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
    CATEGORIES[cls.code] = cls()
    return cls


@register
class TerminatedContacts(Category):
    """Contacts of an enterprise whose projects are all terminated, the last one before the cut-off."""

    code = RetentionCategory.TERMINATED_CONTACTS
    model_label = "clients.Contact"

    def _expired(self, rule, now, probe=False):
        Contact = self.model
        Project = apps.get_model("clients", "Project")
        cutoff = rule.cutoff(now)
        projects = Project._base_manager.filter(enterprise=OuterRef("enterprise_id"))
        return Contact._base_manager.filter(
            Exists(projects),
            _none(projects.exclude(stage=Project.Stage.TERMINATED), probe),
            _none(projects.filter(stage_changed_at__gte=cutoff), probe),
        )

    def _held(self, now):
        return restrictions.contacts_held_q(now)

    def _held_fast(self, held):
        return held.contact_q()

    def still_due(self, rule, ids, now, *, using, cache=None):
        """As `Category.still_due`, with the enterprise-wide holds probed once per enterprise
        (a batch holds ~10 contacts of each) instead of once per contact."""
        Enterprise = apps.get_model("clients", "Enterprise")

        def contacts(ids):
            rows = (
                self.model._base_manager.using(using)
                .filter(any_of("pk", ids))
                .exclude(restrictions.contact_itself_held_q(now))
            )
            if rule.action == RetentionAction.ANONYMISE:
                rows = rows.filter(_live_key())
            return rows.order_by("pk").values_list("pk", "enterprise_id")

        def held_enterprises(ids):
            enterprise = OuterRef("pk")
            return (
                Enterprise._base_manager.using(using)
                .filter(any_of("pk", ids))
                .filter(
                    restrictions.enterprise_held(enterprise, now)
                    | restrictions.projects_of_enterprise_held(enterprise, now)
                )
                .values_list("pk", flat=True)
            )

        pairs = _prepared(cache, "still_due", contacts, using)(list(ids))
        held = set(_prepared(cache, "held_enterprises", held_enterprises, using)(sorted({e for _pk, e in pairs})))
        return [pk for pk, e in pairs if e not in held]

    def _personal_rows(self, ids, using):
        """(subject key ids, models handled) of the contacts and the records that hang off them."""
        Contact = self.model
        keys = list(
            Contact._base_manager.using(using)
            .filter(any_of("pk", ids))
            .order_by()
            .values_list("subject_key_id", flat=True)
        )
        SubjectRequest = _installed("privacy.SubjectRequest")
        if SubjectRequest is not None:
            keys += (
                SubjectRequest._base_manager.using(using)
                .filter(any_of("contact", ids))
                .order_by()
                .values_list("subject_key_id", flat=True)
            )
        return keys

    def _complaint_identities(self, ids, using):
        Complaint = _installed("complaints.Complaint")
        if Complaint is not None:
            Complaint._base_manager.using(using).filter(any_of("contact_id", ids)).update(
                complainant_name="", complainant_phone="", complainant_email="", contact_id=None
            )

    def _selfservice_links(self, ids, using):
        Link = _installed("privacy.SelfServiceLink")
        if Link is not None:
            _raw_delete(Link._base_manager.using(using).filter(any_of("contact", ids)))

    def delete(self, ids, *, using, reference):
        Contact = self.model
        _redact(contact_ids=ids, reference=reference)
        keys = self._personal_rows(ids, using)
        handled = set()
        ConsentEvent = _installed("privacy.ConsentEvent")
        if ConsentEvent is not None:
            State = apps.get_model("privacy", "ConsentState")
            Separate = apps.get_model("privacy", "SeparateConsent")
            events = ConsentEvent._base_manager.using(using).filter(any_of("contact", ids))
            files = list(events.exclude(evidence="").values_list("evidence", flat=True))
            ledger_purge_allowed(using)
            _raw_delete(State._base_manager.using(using).filter(any_of("contact", ids)))
            _raw_delete(Separate._base_manager.using(using).filter(any_of("event__contact", ids)))
            _raw_delete(events)
            _delete_files(files, ConsentEvent._meta.get_field("evidence").storage)
            handled |= {ConsentEvent, State}
        Link = _installed("privacy.SelfServiceLink")
        if Link is not None:
            self._selfservice_links(ids, using)
            handled.add(Link)
        SubjectRequest = _installed("privacy.SubjectRequest")
        if SubjectRequest is not None:
            _raw_delete(SubjectRequest._base_manager.using(using).filter(any_of("contact", ids)))
            handled.add(SubjectRequest)
        LegalHold = apps.get_model("privacy", "LegalHold")
        # Only released or lapsed holds can point at a purged contact (active ones exclude it).
        _raw_delete(LegalHold._base_manager.using(using).filter(any_of("contact", ids)))
        handled.add(LegalHold)
        self._complaint_identities(ids, using)
        _cascade_rest(Contact, ids, handled, using)
        count = _raw_delete(Contact._base_manager.using(using).filter(any_of("pk", ids)))
        shred_key_ids(keys, using=using)
        return count

    def anonymise(self, ids, *, using, reference):
        from django.utils import timezone

        Contact = self.model
        _redact(contact_ids=ids, reference=reference)
        keys = self._personal_rows(ids, using)
        blank = {f.attname: "" for f in _encrypted_fields(Contact)}
        blank.update({f.attname: None for f in _blind_fields(Contact)})
        count = (
            Contact._base_manager.using(using)
            .filter(any_of("pk", ids))
            .update(**blank, position="", updated_at=timezone.now())
        )
        SubjectRequest = _installed("privacy.SubjectRequest")
        if SubjectRequest is not None:
            SubjectRequest._base_manager.using(using).filter(any_of("contact", ids)).update(
                **{f.attname: "" for f in _encrypted_fields(SubjectRequest)}
            )
        self._selfservice_links(ids, using)
        self._complaint_identities(ids, using)
        shred_key_ids(keys, using=using)
        return count


def _encrypted_fields(model):
    from privacy.crypto.personal import encrypted_fields

    return encrypted_fields(model)


def _blind_fields(model):
    from privacy.crypto.personal import blind_index_fields

    return blind_index_fields(model)


@register
class FollowUpNotes(Category):
    """Follow-up notes: all of a project's notes once its last one is older than the period
    (clock "last follow-up"), or each note once it is older (clock "created")."""

    code = RetentionCategory.FOLLOWUP_NOTES
    model_label = "clients.FollowUp"

    def _expired(self, rule, now, probe=False):
        FollowUp = self.model
        cutoff = rule.cutoff(now).date()
        if rule.clock_event == ClockEvent.CREATED:
            return FollowUp._base_manager.filter(date__lt=cutoff)
        recent = FollowUp._base_manager.filter(project=OuterRef("project_id"), date__gte=cutoff)
        return FollowUp._base_manager.filter(_none(recent, probe))

    def _held(self, now):
        return restrictions.project_held(OuterRef("project_id"), now)

    def _held_fast(self, held):
        return held.project_q("project__")

    def still_due(self, rule, ids, now, *, using, cache=None):
        """As `Category.still_due`, with the holds probed once per project (a batch holds many
        notes of each) instead of once per note."""
        Project = apps.get_model("clients", "Project")

        def notes(ids):
            rows = self.model._base_manager.using(using).filter(any_of("pk", ids))
            if rule.action == RetentionAction.ANONYMISE:
                rows = rows.filter(_live_key())
            return rows.order_by("pk").values_list("pk", "project_id")

        def held_projects(ids):
            return (
                Project._base_manager.using(using)
                .filter(any_of("pk", ids))
                .filter(restrictions.project_held(OuterRef("pk"), now))
                .values_list("pk", flat=True)
            )

        pairs = _prepared(cache, "still_due", notes, using)(list(ids))
        held = set(_prepared(cache, "held_projects", held_projects, using)(sorted({p for _pk, p in pairs})))
        return [pk for pk, p in pairs if p not in held]

    def delete(self, ids, *, using, reference):
        FollowUp = self.model
        _redact(objects=[("clients.FollowUp", pk) for pk in ids], reference=reference)
        rows = FollowUp._base_manager.using(using).filter(any_of("pk", ids))
        keys = list(rows.order_by().values_list("subject_key_id", flat=True))
        _cascade_rest(FollowUp, ids, set(), using)
        count = _raw_delete(rows)
        shred_key_ids(keys, using=using)
        return count

    def anonymise(self, ids, *, using, reference):
        FollowUp = self.model
        _redact(objects=[("clients.FollowUp", pk) for pk in ids], reference=reference)
        rows = FollowUp._base_manager.using(using).filter(any_of("pk", ids))
        keys = list(rows.order_by().values_list("subject_key_id", flat=True))
        count = rows.update(**{f.attname: "" for f in _encrypted_fields(FollowUp)})
        shred_key_ids(keys, using=using)
        return count


@register
class Complaints(Category):
    """Closed complaints: identity, description, replies and attachments."""

    code = RetentionCategory.COMPLAINTS
    model_label = "complaints.Complaint"

    def _expired(self, rule, now, probe=False):
        Complaint = self.model
        return Complaint._base_manager.filter(status="closed", closed_at__lt=rule.cutoff(now))

    def _held(self, now):
        enterprise = OuterRef("enterprise_id")
        return (
            restrictions.enterprise_held(enterprise, now)
            | restrictions.project_held(OuterRef("project_id"), now)
            | restrictions.contact_held(OuterRef("contact_id"), now)
        )

    def _held_fast(self, held):
        return Q(enterprise_id__in=sorted(held.enterprises)) | held.project_q("project__") | held.contact_q("contact__")

    def _attachments(self, ids, using):
        Attachment = _installed("complaints.ComplaintAttachment")
        if Attachment is None:
            return
        rows = Attachment._base_manager.using(using).filter(any_of("complaint", ids))
        files = list(rows.values_list("file", flat=True))
        _raw_delete(rows)
        _delete_files(files, Attachment._meta.get_field("file").storage)

    def delete(self, ids, *, using, reference):
        from auditlog.context import disable_auditlog

        Complaint = self.model
        _redact(objects=[("complaints.Complaint", pk) for pk in ids], reference=reference)
        rows = Complaint._base_manager.using(using).filter(any_of("pk", ids))
        keys = list(rows.order_by().values_list("subject_key_id", flat=True))
        self._attachments(ids, using)
        with disable_auditlog():
            count = rows.delete()[1].get(Complaint._meta.label, 0)
        shred_key_ids(keys, using=using)
        return count

    def anonymise(self, ids, *, using, reference):
        Complaint = self.model
        _redact(objects=[("complaints.Complaint", pk) for pk in ids], reference=reference)
        rows = Complaint._base_manager.using(using).filter(any_of("pk", ids))
        keys = list(rows.order_by().values_list("subject_key_id", flat=True))
        count = rows.update(**{f.attname: "" for f in _encrypted_fields(Complaint)}, contact_id=None)
        Event = _installed("complaints.ComplaintEvent")
        if Event is not None:
            Event._base_manager.using(using).filter(any_of("complaint", ids)).update(message="")
        self._attachments(ids, using)
        shred_key_ids(keys, using=using)
        return count


@register
class ConsentEvidence(Category):
    """Consent history of a (contact, purpose) whose last event is a withdrawal older than the period."""

    code = RetentionCategory.CONSENT_EVIDENCE
    model_label = "privacy.ConsentEvent"

    def _expired(self, rule, now, probe=False):
        Event = self.model
        later = Event._base_manager.filter(
            contact=OuterRef("contact_id"), purpose=OuterRef("purpose_id"), pk__gt=OuterRef("pk")
        )
        final_withdrawals = Event._base_manager.filter(action="withdrawn", at__lt=rule.cutoff(now)).filter(
            ~Exists(later)
        )
        return Event._base_manager.filter(
            Exists(final_withdrawals.filter(contact=OuterRef("contact_id"), purpose=OuterRef("purpose_id")))
        )

    keyed = False

    def _held(self, now):
        return restrictions.contact_held(OuterRef("contact_id"), now)

    def _held_fast(self, held):
        return held.contact_q("contact__")

    def delete(self, ids, *, using, reference):
        Event = self.model
        State = apps.get_model("privacy", "ConsentState")
        Separate = apps.get_model("privacy", "SeparateConsent")
        _redact(objects=[("privacy.ConsentEvent", pk) for pk in ids], reference=reference)
        events = Event._base_manager.using(using).filter(any_of("pk", ids))
        files = list(events.exclude(evidence="").values_list("evidence", flat=True))
        ledger_purge_allowed(using)
        _raw_delete(State._base_manager.using(using).filter(any_of("last_event", ids)))
        _raw_delete(Separate._base_manager.using(using).filter(any_of("event", ids)))
        count = _raw_delete(events)
        _delete_files(files, Event._meta.get_field("evidence").storage)
        return count

    anonymise = delete  # the category is delete-only (a rule saved otherwise fails clean())


@register
class SelfServiceTokens(Category):
    """Self-service links issued before the cut-off that no longer work (expired or revoked)."""

    code = RetentionCategory.SELFSERVICE_TOKENS
    model_label = "privacy.SelfServiceLink"

    def _expired(self, rule, now, probe=False):
        return self.model._base_manager.filter(issued_at__lt=rule.cutoff(now)).filter(
            Q(revoked_at__isnull=False) | Q(expires_at__lt=now)
        )

    keyed = False

    def _held(self, now):
        return restrictions.contact_held(OuterRef("contact_id"), now)

    def _held_fast(self, held):
        return held.contact_q("contact__")

    def delete(self, ids, *, using, reference):
        return _raw_delete(self.model._base_manager.using(using).filter(any_of("pk", ids)))

    anonymise = delete


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


@register
class ImportFiles(_CreatedAtRows):
    """Excel import batches (file name and the enterprise values they replaced)."""

    code = RetentionCategory.IMPORT_FILES
    model_label = "clients.ImportBatch"


@register
class ExportFiles(_CreatedAtRows):
    """Stored export files (data-subject copies); the model comes with the requests issue."""

    code = RetentionCategory.EXPORT_FILES
    model_label = getattr(settings, "PURGE_EXPORT_FILE_MODEL", "privacy.ExportFile")
    file_fields = ("file",)


@register
class ImpactAssessments(_CreatedAtRows):
    code = RetentionCategory.IMPACT_ASSESSMENTS
    model_label = "privacy.ImpactAssessment"


@register
class AuditLog(Category):
    """Audit entries: [D] deletes whole sealed batches older than the cut-off (never < 180 days)."""

    code = RetentionCategory.AUDIT_LOG
    model_label = "auditlog.LogEntry"
    batched = False

    def purge(self, rule, now, *, dry_run):
        from audit.services import audit_entries_purge

        counts = audit_entries_purge(older_than_days=rule.effective_days, dry_run=dry_run, now=now)
        return sum(counts.values())


# --- One rule -----------------------------------------------------------------------------------


class Interrupted(BaseException):
    """Raised by test hooks to simulate a worker killed between batches (never caught here)."""


WINDOW_BATCHES = 20


def _max_pk(model, using):
    return model._base_manager.using(using).aggregate(top=models.Max("pk"))["top"] or 0


def _set_local(using, name, value):
    """PostgreSQL: set a planner setting for the current transaction only (no-op elsewhere).

    The batch turns JIT off (compiling the short claim queries cost seconds per batch) and,
    while claiming and re-checking, sequential scans too. Why: the claim's conditions (no
    project still going, no recent follow-up, no hold flag) are correlated NOT EXISTS over
    projects, follow-ups and the unindexed ``legal_hold`` flags. Seeing few matching rows, the
    planner materialises a scan of the WHOLE projects / follow-ups / enterprises table once per
    claim (50 ms per batch at 100k follow-ups, growing with the tables). With sequential scans
    priced out it probes the foreign-key and primary-key indexes per claimed row instead:
    bounded by the 500 rows claimed, flat as the tables grow. They are switched back on before
    the batch's deletes and updates.
    """
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute(f"SET LOCAL {name} = {value}")


def _skip_locked(using):
    return connections[using].features.has_select_for_update_skip_locked


def _error(rule, batch_no, exc, ids=()):
    entry = {"rule": rule.code, "batch": batch_no, "error": type(exc).__name__}
    if ids:
        entry["first_id"], entry["last_id"] = ids[0], ids[-1]
    return entry


def rule_problem(rule):
    """Why `rule` cannot run as saved (a row written around clean()), or None."""
    if rule.clock_event not in ALLOWED_CLOCKS.get(rule.category, ()):
        return "clock_not_allowed"
    if rule.category in DELETE_ONLY and rule.action != RetentionAction.DELETE:
        return "action_not_allowed"
    if rule.category not in CATEGORIES:
        return "unknown_category"
    return None


def estimate(rule, now, held=None):
    category = CATEGORIES.get(rule.category)
    if category is None or not category.available() or not getattr(category, "batched", True):
        return 0
    if rule_problem(rule):
        return 0
    return category.candidates(rule, now, held=held or restrictions.HeldSets(now)).count()


def purge_rule(run, rule, *, now, on_batch=None):
    """Apply `rule` for `run` (dry or real); return its stats and add errors to `run.errors`."""
    category = CATEGORIES.get(rule.category)
    stats = {
        "category": rule.category,
        "action": rule.action,
        "days": rule.effective_days,
        "candidates": 0,
        "processed": 0,
        "held": 0,
        "batches": 0,
    }
    problem = rule_problem(rule)
    if problem:
        run.errors.append({"rule": rule.code, "batch": 0, "error": problem})
        stats["skipped"] = problem
        return stats
    if not category.available():
        stats["skipped"] = "not_installed"
        return stats
    model = category.model
    using = router.db_for_write(model)
    if not getattr(category, "batched", True):
        count = category.purge(rule, now, dry_run=run.dry_run)
        stats["candidates" if run.dry_run else "processed"] = count
        if not run.dry_run:
            stats["candidates"] = count
        return stats
    # Held ids read once for this rule: claims and counts exclude them by id; each claimed
    # batch is then re-checked with the exact conditions (a hold placed meanwhile still counts).
    held = restrictions.HeldSets(now)
    stats["held"] = category.held_count(rule, now, held)
    if run.dry_run:
        return _preview(run, rule, category, stats, now, held)
    pause = batch_pause()

    size = batch_size()
    window = size * WINDOW_BATCHES
    top = _max_pk(model, using)
    last = 0
    batch_no = 0
    reference = f"purge-run:{run.pk}"

    def claim(last, upper):
        queryset = (
            category.candidates(rule, now, held, probe=True)
            .using(using)
            .filter(pk__gt=last, pk__lte=upper)
            .order_by("pk")
        )
        if _skip_locked(using):
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        return queryset.values_list("pk", flat=True)[:size]

    cache = {}  # this rule's prepared queries: built and compiled once, run per batch
    while last < top:
        batch_no += 1
        ids = []
        try:
            with transaction.atomic(using=using):
                _set_local(using, "jit", "off")
                _set_local(using, "enable_seqscan", "off")  # claim and re-check probe indexes
                # Claim within a bounded id window, so that each claim costs the same however
                # large the table is (no plan can turn it into a scan of every row).
                upper = last + window
                claimed = _prepared(cache, "claim", claim, using)(last, upper)
                last = claimed[-1] if len(claimed) == size else upper
                if last >= top:
                    top = max(top, _max_pk(model, using))  # rows added while the run went on
                if not claimed:
                    batch_no -= 1
                    continue
                # Re-check under the lock, over the claimed rows only: exact holds (one placed
                # since the rule started), and for anonymise a key another worker shredded since
                # this statement's snapshot. A row another worker DELETED is never claimed: the
                # lock step skips rows deleted after the snapshot.
                ids = category.still_due(rule, claimed, now, using=using, cache=cache)
                _set_local(using, "enable_seqscan", "on")
                if on_batch is not None:
                    on_batch(rule=rule, batch=batch_no, ids=ids)
                done = category.apply(rule, ids, using=using, reference=reference) if ids else 0
                stats["candidates"] += len(ids)
                stats["processed"] += done
                stats["batches"] += 1
                _record_batch(run, rule, model, ids, done, batch_no)
                _progress(run, rule, stats, done)
        except Exception as exc:  # noqa: BLE001 - one failing batch is recorded; the rule stops there
            logger.error("retention: rule %s batch %s failed (%s)", rule.code, batch_no, type(exc).__name__)
            run.errors.append(_error(rule, batch_no, exc, ids))
            stats["failed_batch"] = batch_no
            break
        if pause and ids:
            time.sleep(pause)  # let the web's queries through between batches (PURGE_BATCH_PAUSE_MS)
    return stats


def _preview(run, rule, category, stats, now, held=None):
    limit = getattr(settings, "PURGE_PREVIEW_MAX_IDS", 5000)
    label = category.model._meta.label
    items = []
    count = 0
    for pk in category.candidate_ids(rule, now, held=held):
        count += 1
        if count <= limit:
            items.append(PurgeRunItem(run=run, rule_code=rule.code, model=label, object_id=pk))
        if len(items) >= 2000:
            PurgeRunItem.objects.bulk_create(items)
            items = []
    if items:
        PurgeRunItem.objects.bulk_create(items)
    stats["candidates"] = count
    stats["preview_truncated"] = count > limit
    return stats


def _record_batch(run, rule, model, ids, done, batch_no):
    """One summary access event per batch: ids and counts only."""
    from audit.access import record_access

    record_access(
        None,
        "bulk",
        purpose="到期数据清理",
        row_count=done,
        detail={
            "purge_run": run.pk,
            "rule": rule.code,
            "model": model._meta.label,
            "action": rule.action,
            "batch": batch_no,
            "ids": ids,
        },
    )


def _progress(run, rule, stats, done):
    from django.utils import timezone

    run.counts[rule.code] = dict(stats)
    run.processed += done
    PurgeRun.objects.filter(pk=run.pk).update(
        processed=F("processed") + done,
        counts=run.counts,
        current_rule=rule.code,
        heartbeat_at=timezone.now(),
    )


# --- Services: the only writers of runs, holds and rules ----------------------------------------


def purge_run_create(*, dry_run, trigger, user=None, rule_code=""):
    """A pending run record (the task executes it)."""
    return PurgeRun.objects.create(
        dry_run=dry_run,
        trigger=trigger,
        triggered_by=user if user and user.is_authenticated else None,
        rule_code=rule_code or "",
    )


def purge_run_execute(*, run_id, on_batch=None, now=None):
    """Execute run `run_id`: every active rule (or the one it names). Idempotent: a finished run is left alone."""
    from django.utils import timezone

    from privacy.models import RetentionRule

    run = PurgeRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    now = now or timezone.now()
    rules = list(RetentionRule.objects.active().order_by("order", "code"))
    if run.rule_code:
        rules = [rule for rule in rules if rule.code == run.rule_code]
        if not rules:
            run.errors.append({"rule": run.rule_code, "batch": 0, "error": "unknown_or_inactive_rule"})
    run.status = PurgeRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.heartbeat_at = timezone.now()
    held = restrictions.HeldSets(now) if rules else None
    run.total_estimate = sum(estimate(rule, now, held) for rule in rules)
    run.processed = 0
    run.save(update_fields=["status", "started_at", "heartbeat_at", "total_estimate", "processed", "errors"])
    try:
        for rule in rules:
            run.current_rule = rule.code
            run.counts[rule.code] = purge_rule(run, rule, now=now, on_batch=on_batch)
            PurgeRun.objects.filter(pk=run.pk).update(counts=run.counts, errors=run.errors, current_rule=rule.code)
    except Exception as exc:  # noqa: BLE001 - recorded on the run; the worker stays up
        logger.error("retention: purge run %s failed (%s)", run.pk, type(exc).__name__)
        run.errors.append({"rule": run.current_rule, "batch": 0, "error": type(exc).__name__})
        run.status = PurgeRun.Status.FAILED
    else:
        run.status = PurgeRun.Status.PARTIAL if run.errors else PurgeRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.current_rule = ""
    run.processed = sum(stats.get("processed", 0) for stats in run.counts.values())
    if run.dry_run:
        run.processed = run.total_estimate = sum(stats.get("candidates", 0) for stats in run.counts.values())
    run.save(update_fields=["status", "finished_at", "current_rule", "counts", "errors", "processed", "total_estimate"])
    return run


@transaction.atomic
def legal_hold_place(*, user, reason, kind=None, enterprise=None, contact=None, project=None, until=None, reference=""):
    from privacy.models import LegalHold

    hold = LegalHold(
        kind=kind or LegalHold.Kind.LEGAL_HOLD,
        enterprise=enterprise,
        contact=contact,
        project=project,
        reason=reason,
        reference=reference,
        until=until,
        placed_by=user,
    )
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic
def legal_hold_release(*, hold_id, user, note=""):
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from privacy.models import LegalHold

    hold = LegalHold.objects.select_for_update().get(pk=hold_id)
    if hold.released_at is not None:
        raise ValidationError(_("该保全已经解除。"))
    hold.released_at = timezone.now()
    hold.released_by = user
    hold.release_note = note[:300]
    hold.save(update_fields=["released_at", "released_by", "release_note"])
    return hold
