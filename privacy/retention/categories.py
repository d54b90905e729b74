"""Retention categories over the records of the other apps: contacts of terminated projects,
follow-up notes, complaints, Excel import batches and the audit log.

Holds come from `privacy.retention.restrictions` (claims and counts exclude the held ids read once
per rule; every claimed batch is re-checked with the exact conditions). **Anonymise** crypto-shreds
the row's subject key and blanks identifying text, keeping what statistics need; **delete**
removes the row and the personal data hanging off it. Audit entries naming the person are
redacted first (`audit.services.redact_entries_for`), never deleted.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from privacy.crypto.personal import shred_key_ids
from privacy.retention.models import ClockEvent, RetentionAction, RetentionCategory
from zhaoshang.core.db import any_of

from . import restrictions
from .base import (
    Category,
    _blind_fields,
    _cascade_rest,
    _CreatedAtRows,
    _delete_files,
    _encrypted_fields,
    _installed,
    _live_key,
    _none,
    _prepared,
    _raw_delete,
    _redact,
    ledger_purge_allowed,
    register,
)


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
            from privacy.requests.retention import purge_request_rows  # with their timeline and codes

            purge_request_rows(SubjectRequest._base_manager.using(using).filter(any_of("contact", ids)))
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
class ImportFiles(_CreatedAtRows):
    """Excel import batches (file name and the enterprise values they replaced)."""

    code = RetentionCategory.IMPORT_FILES
    model_label = "clients.ImportBatch"


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
