"""Audit services: the only code that changes audit state (keyword-only, atomic, noun_verb).

- `redact_entries_for`: erasure support for [F] — rewrite and mark, never delete.
- `audit_entries_purge`: deletes whole sealed batches older than the retention floor.
- engagements, findings, rectifications, reminders, and a finding opened from an anomaly.
"""

import bisect
import datetime

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.db import AnyOf, any_of  # noqa: F401 - re-exported for callers of audit.services
from zhaoshang.core.notifications import notify

from .models import (
    AccessEvent,
    AccessSubject,
    Anomaly,
    AuditSeal,
    Chain,
    Finding,
    FindingLink,
    Rectification,
    RectificationReminder,
    Redaction,
)
from .sealing import current_algorithm, entry_digest, entry_rows, json_ready

AUDIT_RETENTION_FLOOR_DAYS = 180
REDACTED = "[已删除]"
CONTACT_LABEL = "clients.Contact"


# --- Redaction for erasure --------------------------------------------------------------------

REDACT_CHUNK = 2000  # entries rewritten per round (bounds memory; each round is a few queries)


def _ct_id(model):
    return ContentType.objects.get_for_model(model, for_concrete_model=False).pk


def _targets(contact_ids, objects, include_related):
    """What to redact, per content type: {ct id: [pk strings]} and [(ct id, model, contact field)]
    for the rows of audited models that point at the contacts."""
    listed = {}
    labels = {}
    for obj in objects:
        if isinstance(obj, tuple):
            label, pk = obj
            if label not in labels:
                labels[label] = _ct_id(apps.get_model(label))
            ct_id = labels[label]
        else:
            ct_id, pk = _ct_id(type(obj)), obj.pk
        listed.setdefault(ct_id, set()).add(str(pk))
    related = []
    if contact_ids:
        try:
            contact_model = apps.get_model(CONTACT_LABEL)
        except LookupError:
            contact_model = None
        if contact_model is not None:
            listed.setdefault(_ct_id(contact_model), set()).update(str(pk) for pk in contact_ids)
        if contact_model is not None and include_related:
            from .registry import audited_models

            for model in audited_models():
                for f in model._meta.concrete_fields:
                    if f.is_relation and f.related_model is contact_model:
                        related.append((_ct_id(model), model, f))
    return {ct: sorted(pks) for ct, pks in listed.items()}, related


def _text_array(values):
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _entry_ids(model, pk_field, listed, related, contact_ids=()):
    """Ids of `model` entries whose (content type, object pk) is one of the targets.

    One indexed probe per content type (an OR of them would defeat the index), sent as one
    UNION ALL statement; the rows pointing at the contacts (follow-ups, consents…) as
    subqueries, never materialised. On PostgreSQL the statement is written from the models'
    table and column names (the ORM took longer to build and compile it than the database to
    answer it, on every purge batch); elsewhere the ORM builds it.
    """
    if not listed and not related:
        return []
    if connection.vendor == "postgresql":
        table, column = model._meta.db_table, model._meta.get_field(pk_field).column
        qn = connection.ops.quote_name
        # Table and column names come from model meta; every value is a parameter.
        sql, params = [], []
        for ct_id, pks in listed.items():
            sql.append(f"SELECT id FROM {qn(table)} WHERE content_type_id = %s AND {qn(column)} = ANY(%s::text[])")  # noqa: S608
            params += [ct_id, _text_array(pks)]
        ids = "{" + ",".join(str(int(pk)) for pk in contact_ids) + "}"
        for ct_id, child, field in related:
            pointing = f"SELECT {qn(child._meta.pk.column)}::text FROM {qn(child._meta.db_table)}"  # noqa: S608
            pointing += f" WHERE {qn(field.column)} = ANY(%s::bigint[])"
            sql.append(f"SELECT id FROM {qn(table)} WHERE content_type_id = %s AND {qn(column)} IN ({pointing})")  # noqa: S608
            params += [ct_id, ids]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(sql), params)
            return sorted({row[0] for row in cursor.fetchall()})
    parts = [model.objects.filter(any_of(pk_field, pks), content_type_id=ct_id) for ct_id, pks in listed.items()]
    for ct_id, child, field in related:
        sub = (
            child._base_manager.filter(any_of(field.name, contact_ids))
            .annotate(_pk_text=Cast("pk", CharField()))
            .values("_pk_text")
        )
        parts.append(model.objects.filter(content_type_id=ct_id, **{f"{pk_field}__in": sub}))
    parts = [part.order_by().values_list("id", flat=True) for part in parts]
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return sorted(set(query))


def _algorithms(chain, ids):
    """entry id -> digest algorithm of the seal covering it (the current one when unsealed)."""
    seals = list(
        AuditSeal.objects.filter(chain=chain, from_id__lte=ids[-1], to_id__gte=ids[0])
        .order_by("from_id")
        .values_list("from_id", "to_id", "algorithm")
    )
    starts = [from_id for from_id, _to, _alg in seals]
    default = current_algorithm()
    result = {}
    for entry_id in ids:
        k = bisect.bisect_right(starts, entry_id) - 1
        result[entry_id] = seals[k][2] if k >= 0 and seals[k][1] >= entry_id else default
    return result


def _redact_set(chain, ids, redact, write, *, reason, reference, actor):
    """Rewrite entries `ids` of `chain` set-based; record a Redaction for each whose digest changed.

    Each chunk is read once, as `verify_chain` reads it (`entry_rows`). `redact(row)` returns the
    row as it will be stored; its digest is the "after" digest, so the rows need not be read
    back: every rewritten column gets a constant or a JSON value that PostgreSQL stores and
    returns as given (strings, booleans, lists, objects; jsonb key order does not matter, the
    canonical form sorts keys). `write(rows)` stores those rows (only the ones that change) and
    the Redaction rows go in one INSERT. A constant number of queries per chunk.
    """
    changed = 0
    for i in range(0, len(ids), REDACT_CHUNK):
        chunk = ids[i : i + REDACT_CHUNK]
        algorithms = _algorithms(chain, chunk)
        records, rewritten = [], []
        for row in entry_rows(chain, chunk, where=any_of):
            algorithm = algorithms[row["id"]]
            row = json_ready(row)
            new = redact(row)
            before, after = entry_digest(algorithm, row).hex(), entry_digest(algorithm, new).hex()
            if before != after:
                rewritten.append(new)
                records.append((row["id"], algorithm, before, after))
        if rewritten:
            write(rewritten)
            _insert_redactions(chain, records, reason=reason[:60], reference=str(reference)[:64], actor=actor)
        changed += len(records)
    return changed


def _insert_redactions(chain, records, *, reason, reference, actor):
    """One INSERT of Redaction rows [(entry id, algorithm, digest before, digest after)].

    PostgreSQL: the four varying columns as four array literals (ids, algorithm names and hex
    digests need no quoting), the rest once; ~10x cheaper than `bulk_create` of model instances.
    """
    at = timezone.now()
    actor_id = getattr(actor, "pk", actor)
    if connection.vendor != "postgresql":
        Redaction.objects.bulk_create(
            Redaction(
                chain=chain,
                entry_id=entry_id,
                algorithm=algorithm,
                original_digest=before,
                redacted_digest=after,
                reason=reason,
                reference=reference,
                actor_id=actor_id,
                at=at,
            )
            for entry_id, algorithm, before, after in records
        )
        return
    columns = list(zip(*records, strict=True))
    arrays = ["{" + ",".join(map(str, values)) + "}" for values in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Redaction._meta.db_table}"  # noqa: S608 - the table name is ours, values are parameters
            " (chain, entry_id, algorithm, original_digest, redacted_digest, reason, reference, actor_id, at)"
            " SELECT %s, e, a, o, r, %s, %s, %s, %s"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS t(e, a, o, r)",
            [str(chain), reason, reference, actor_id, at, *arrays],
        )


def _redacted_changes(changes):
    # The field names of `changes` stay, their values go.
    names = sorted(changes) if isinstance(changes, dict) else ()
    return {name: [REDACTED, REDACTED] for name in names}


def _log_redaction(marker):
    """(redact, write) for LogEntry rows: object_repr, values in `changes`, changes_text and
    serialized_data replaced, `additional_data` the marker."""

    def redact(row):
        return {
            **row,
            "object_repr": REDACTED,
            "changes": _redacted_changes(row["changes"]),
            "changes_text": "",
            "serialized_data": None,
            "additional_data": marker,
        }

    def write(rows):
        # Entries with the same field names share one UPDATE (a handful of shapes per batch).
        # Only unindexed columns change.
        groups = {}
        for row in rows:
            groups.setdefault(tuple(row["changes"]), []).append(row["id"])
        for names, group in groups.items():
            LogEntry.objects.filter(any_of("id", group)).update(
                object_repr=REDACTED,
                changes={name: [REDACTED, REDACTED] for name in names},
                changes_text="",
                serialized_data=None,
                additional_data=marker,
            )

    return redact, write


def _access_redact(row):
    return {**row, "detail": {"redacted": True}, "redacted": True}


def _access_write(rows):
    AccessEvent.objects.filter(any_of("id", [row["id"] for row in rows])).update(
        detail={"redacted": True}, redacted=True
    )


@transaction.atomic
def redact_entries_for(*, contact_ids=(), objects=(), reason="erasure", reference="", actor=None, include_related=True):
    """Redact the audit entries that could name an erased person; return how many changed.

    Call it BEFORE deleting or shredding the rows (so that follow-ups, consents… pointing at the
    contacts can still be found when `include_related`). `objects`: model instances or
    ("app.Model", pk) tuples for further records (a complaint, a request).

    LogEntry: object_repr, the values in `changes`, `changes_text` and `serialized_data` are
    replaced by "[已删除]" (the field names stay), `additional_data` marks the redaction.
    AccessEvent (object or subject is one of the contacts): `detail` cleared, `redacted` set;
    the ids, purpose and counts stay. Nothing is deleted. Each changed entry gets a Redaction row
    holding its digest before and after, so `verify_audit_trail` still accepts the sealed chain.

    Set-based: a few queries per content type and per 2,000 entries, whatever the number of
    people — a purge batch of 500 contacts costs about as much as one contact.
    """
    contact_ids = [int(pk) for pk in contact_ids]
    listed, related = _targets(contact_ids, objects, include_related)
    if not listed and not related:
        return 0
    marker = {"redacted": True, "reason": reason[:60], "at": timezone.now().isoformat()}
    changed = 0
    log_ids = _entry_ids(LogEntry, "object_pk", listed, related, contact_ids)
    if log_ids:
        redact, write = _log_redaction(marker)
        changed += _redact_set(Chain.LOG, log_ids, redact, write, reason=reason, reference=reference, actor=actor)
    event_ids = set(_entry_ids(AccessEvent, "object_id", listed, related, contact_ids))
    if contact_ids:
        subjects = AccessSubject.objects.filter(any_of("contact_id", contact_ids))
        event_ids.update(subjects.values_list("event_id", flat=True))
    if event_ids:
        changed += _redact_set(
            Chain.ACCESS,
            sorted(event_ids),
            _access_redact,
            _access_write,
            reason=reason,
            reference=reference,
            actor=actor,
        )
    return changed


# --- Retention floor -------------------------------------------------------------------------


@transaction.atomic
def audit_entries_purge(*, older_than_days, dry_run=False, now=None):
    """Delete audit entries older than `older_than_days` — never fewer than 180 days.

    Only whole sealed batches go (a seal whose last entry is older than the cut-off): the seal
    stays, marked pruned, so the chain of seals still verifies. Entries not sealed yet are kept.
    Returns {"log": n, "access": n} (would-be counts when `dry_run`).
    """
    if older_than_days < AUDIT_RETENTION_FLOOR_DAYS:
        raise ValidationError(
            _("审计日志至少保存 %(days)s 天，不能清理更近的记录。") % {"days": AUDIT_RETENTION_FLOOR_DAYS}
        )
    cutoff = (now or timezone.now()) - datetime.timedelta(days=older_than_days)
    counts = {}
    for chain, model in ((Chain.LOG, LogEntry), (Chain.ACCESS, AccessEvent)):
        seals = AuditSeal.objects.filter(chain=chain, pruned_at__isnull=True, last_entry_at__lt=cutoff)
        total = 0
        for seal in seals.select_for_update().order_by("from_id"):
            rows = model.objects.filter(id__gte=seal.from_id, id__lte=seal.to_id)
            if dry_run:
                total += rows.count()
                continue
            if chain == Chain.ACCESS:
                AccessSubject.objects.filter(event_id__gte=seal.from_id, event_id__lte=seal.to_id).delete()
            total += rows._raw_delete(rows.db)
            seal.pruned_at = timezone.now()
            seal.save(update_fields=["pruned_at"])
        counts[chain.value] = total
    return counts


# --- Internal audits -------------------------------------------------------------------------


@transaction.atomic
def engagement_save(*, form):
    """Create or update an engagement from a validated EngagementForm (team included)."""
    return form.save()


@transaction.atomic
def finding_create(*, engagement, title, severity, description, actor, links=()):
    finding = Finding.objects.create(
        engagement=engagement, title=title, severity=severity, description=description, created_by=actor
    )
    for ct, object_id in links:
        FindingLink.objects.get_or_create(finding=finding, content_type=ct, object_id=str(object_id))
    return finding


@transaction.atomic
def finding_from_anomaly(*, anomaly_id, actor):
    """Open a finding for an anomaly (one click). Idempotent: an anomaly gets one finding."""
    anomaly = Anomaly.objects.select_for_update().select_related("user").get(pk=anomaly_id)
    if anomaly.finding_id:
        return anomaly.finding, False
    title = _("异常访问：%(kind)s（%(day)s）") % {"kind": anomaly.get_kind_display(), "day": f"{anomaly.day:%Y-%m-%d}"}
    description = _("用户 %(user)s 于 %(day)s 触发异常规则「%(kind)s」，数量 %(count)s。请核实是否有正当业务需要。") % {
        "user": anomaly.user.get_username(),
        "day": f"{anomaly.day:%Y-%m-%d}",
        "kind": anomaly.get_kind_display(),
        "count": anomaly.count,
    }
    severity = Finding.Severity.HIGH if anomaly.kind == Anomaly.Kind.LARGE_EXPORT else Finding.Severity.MEDIUM
    links = [(ContentType.objects.get_for_model(Anomaly), anomaly.pk)]
    for event_id in anomaly.detail.get("events", [])[:20]:
        links.append((ContentType.objects.get_for_model(AccessEvent), event_id))
    finding = finding_create(
        engagement=None, title=title, severity=severity, description=description, actor=actor, links=links
    )
    anomaly.finding = finding
    anomaly.save(update_fields=["finding"])
    return finding, True


@transaction.atomic
def finding_set_status(*, finding, status):
    finding.status = status
    finding.save(update_fields=["status"])
    return finding


@transaction.atomic
def rectification_create(*, finding, action, owner, due_date):
    rectification = Rectification.objects.create(finding=finding, action=action, owner=owner, due_date=due_date)
    if finding.status == Finding.Status.OPEN:
        finding_set_status(finding=finding, status=Finding.Status.RECTIFYING)
    return rectification


@transaction.atomic
def rectification_submit(*, rectification, evidence=None, note=""):
    """The owner reports the action done, with evidence; it then waits for the auditor."""
    if rectification.status not in (Rectification.Status.OPEN, Rectification.Status.REJECTED):
        raise ValidationError(_("该整改措施当前不能提交。"))
    update = ["evidence_note", "status", "submitted_at"]
    if evidence:
        from privacy import files

        if rectification.subject_key_id is None:
            rectification.save(update_fields=[])  # provisions the row's data key (rows from before)
        rectification.evidence = files.encrypted_upload(rectification, evidence, purpose=files.RECTIFICATION_EVIDENCE)
        rectification.evidence_type = evidence.name.rsplit(".", 1)[-1].lower()[:8] if "." in evidence.name else ""
        update += ["evidence", "evidence_type"]
    rectification.evidence_note = note
    rectification.status = Rectification.Status.SUBMITTED
    rectification.submitted_at = timezone.now()
    rectification.save(update_fields=update)
    return rectification


@transaction.atomic
def rectification_verify(*, rectification, actor, accepted, note=""):
    """The auditor accepts or rejects submitted evidence. The finding closes when all are verified."""
    if rectification.status != Rectification.Status.SUBMITTED:
        raise ValidationError(_("只有待验证的整改措施可以验证。"))
    if actor.pk == rectification.owner_id:
        raise ValidationError(_("整改责任人不能验证自己的整改。"))
    rectification.status = Rectification.Status.VERIFIED if accepted else Rectification.Status.REJECTED
    rectification.verified_by = actor
    rectification.verified_at = timezone.now()
    rectification.verification_note = note
    rectification.save(update_fields=["status", "verified_by", "verified_at", "verification_note"])
    finding = rectification.finding
    if accepted and not finding.rectifications.exclude(status=Rectification.Status.VERIFIED).exists():
        finding_set_status(finding=finding, status=Finding.Status.CLOSED)
    return rectification


def rectifications_overdue(today=None):
    today = today or timezone.localdate()
    return Rectification.objects.filter(
        status__in=[Rectification.Status.OPEN, Rectification.Status.REJECTED], due_date__lt=today
    )


def rectification_remind(*, rectification_id, today=None):
    """Remind the owner of one overdue action, at most once a day. Returns True if sent now."""
    today = today or timezone.localdate()
    with transaction.atomic():
        rectification = (
            rectifications_overdue(today).select_related("owner", "finding").filter(pk=rectification_id).first()
        )
        if rectification is None:
            return False
        _reminder, created = RectificationReminder.objects.get_or_create(rectification=rectification, day=today)
        if not created:
            return False
        context = {
            "rectification": rectification.pk,
            "due": rectification.due_date,
            "days": (today - rectification.due_date).days,
        }
        notify([rectification.owner], "rectification_overdue", rectification, context)
    return True


def rectifications_remind_overdue(today=None):
    """The periodic job: remind every overdue action once today. Returns reminders sent."""
    ids = list(rectifications_overdue(today).values_list("pk", flat=True))
    return sum(rectification_remind(rectification_id=pk, today=today) for pk in ids)
