"""Tamper evidence: seal, verify, detect UPDATE / DELETE / out-of-order INSERT, redaction, purge floor."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from audit import sealing
from audit.access import record_access
from audit.models import AccessEvent, AuditSeal, Chain, Redaction
from audit.services import AUDIT_RETENTION_FLOOR_DAYS, audit_entries_purge, redact_entries_for
from clients.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(org, seal_now):
    """A few log entries (department changes) and access events, sealed."""
    for i in range(5):
        Department.objects.create(name=f"审计测试部门{i}", code=f"audit-test-{i}", kind="team")
    for _i in range(3):
        record_access(org["officer1"], AccessEvent.Action.VIEW, org["officer1"], purpose="测试")
    call_command("seal_audit_trail")
    return LogEntry.objects.order_by("id")


def _verify():
    call_command("verify_audit_trail")


def test_untouched_chain_verifies(trail):
    assert AuditSeal.objects.filter(chain=Chain.LOG).exists()
    assert AuditSeal.objects.filter(chain=Chain.ACCESS).exists()
    _verify()  # no CommandError


def test_sealing_is_idempotent_and_covers_new_entries_only(trail):
    before = AuditSeal.objects.count()
    call_command("seal_audit_trail")
    assert AuditSeal.objects.count() == before
    Department.objects.create(name="新部门", code="audit-test-new", kind="team")
    call_command("seal_audit_trail")
    seals = list(AuditSeal.objects.filter(chain=Chain.LOG).order_by("from_id"))
    assert seals[-1].prev_digest == seals[-2].digest
    assert seals[-1].from_id > seals[-2].to_id
    _verify()


def test_raw_update_of_a_log_row_is_named(trail):
    victim = trail[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET object_repr = 'forged' WHERE id = %s", [victim.id])
    with pytest.raises(CommandError, match=f"#{victim.id} .*改动"):
        _verify()


def test_raw_delete_of_a_log_row_is_named(trail):
    victim = trail[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [victim.id])
    with pytest.raises(CommandError, match=f"#{victim.id} .*删除"):
        _verify()


def test_raw_update_of_an_access_event_is_named(trail):
    victim = AccessEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET row_count = 99 WHERE id = %s", [victim.id])
    with pytest.raises(CommandError, match=f"#{victim.id} .*改动"):
        _verify()


def test_row_inserted_inside_a_sealed_range_is_named(org, seal_now):
    """The test makes the gap it needs: an id the sequence hands out and nobody uses, between two
    sealed entries (it used to look for a free id below the first entry and skip without one)."""
    Department.objects.create(name="封存前", code="audit-gap-before", kind="team")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('auditlog_logentry', 'id'))")
        gap = cursor.fetchone()[0]
    Department.objects.create(name="封存后", code="audit-gap-after", kind="team")
    call_command("seal_audit_trail")
    ids = list(LogEntry.objects.values_list("id", flat=True))
    assert min(ids) < gap < max(ids) and gap not in ids
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auditlog_logentry (id, content_type_id, object_pk, object_repr, action, changes_text, "
            "timestamp) VALUES (%s, %s, '1', 'x', 1, '', now())",
            [gap, LogEntry.objects.first().content_type_id],
        )
    with pytest.raises(CommandError, match=f"#{gap} .*乱序插入"):
        _verify()


def test_altering_a_seal_breaks_the_chain(trail):
    seal = AuditSeal.objects.filter(chain=Chain.LOG).first()
    AuditSeal.objects.filter(pk=seal.pk).update(digest="f" * 64)
    with pytest.raises(CommandError, match="封存"):
        _verify()


def test_first_problem_in_id_order_is_named(trail):
    a, b = trail[1], trail[3]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET object_repr = 'x' WHERE id = %s", [b.id])
        cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [a.id])
    report = sealing.verify_chain(Chain.LOG)
    assert report.problems[0].entry_id == a.id
    assert report.problems[0].kind == "deleted"


def test_sm3_used_when_cipher_suite_is_sm4(org, seal_now):
    seal_now.CIPHER_SUITE = "sm4"
    Department.objects.create(name="国密部门", code="audit-test-sm3", kind="team")
    sealing.seal_all()
    seal = AuditSeal.objects.filter(chain=Chain.LOG).latest("id")
    assert seal.algorithm == "sm3"
    assert sealing.verify_chain(Chain.LOG).ok


def test_redaction_marks_entries_and_chain_still_verifies(org, seal_now):
    from clients.models import Enterprise  # noqa: F401  (ensures the app is importable)

    dept = Department.objects.create(name="将被擦除的部门", code="audit-test-redact", kind="team")
    record_access(org["officer1"], AccessEvent.Action.VIEW, dept, purpose="测试")
    sealing.seal_all()
    changed = redact_entries_for(objects=[dept], reason="erasure", reference="REQ-1")
    assert changed >= 2
    entry = LogEntry.objects.get(content_type__model="department", object_pk=str(dept.pk))
    assert entry.object_repr == "[已删除]"
    assert entry.additional_data["redacted"] is True
    assert "将被擦除的部门" not in str(entry.changes)
    event = AccessEvent.objects.get(object_id=str(dept.pk), content_type__model="department")
    assert event.redacted is True
    assert Redaction.objects.filter(chain=Chain.LOG, entry_id=entry.id).exists()
    sealing.seal_all()  # the redaction records join their own chain
    for report in sealing.verify_all():
        assert report.ok, report.problems
    _verify()


def test_redaction_cannot_launder_an_earlier_tampering(org, seal_now):
    dept = Department.objects.create(name="部门甲", code="audit-test-launder", kind="team")
    sealing.seal_all()
    entry = LogEntry.objects.get(content_type__model="department", object_pk=str(dept.pk))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET actor_id = NULL, cid = 'forged' WHERE id = %s", [entry.id])
    redact_entries_for(objects=[dept])
    assert not sealing.verify_chain(Chain.LOG).ok


def test_purge_refuses_to_go_below_the_retention_floor(trail):
    with pytest.raises(ValidationError):
        audit_entries_purge(older_than_days=AUDIT_RETENTION_FLOOR_DAYS - 1)


def test_purge_removes_old_sealed_batches_and_chain_still_verifies(trail):
    later = timezone.now() + datetime.timedelta(days=AUDIT_RETENTION_FLOOR_DAYS + 5)
    counts = audit_entries_purge(older_than_days=AUDIT_RETENTION_FLOOR_DAYS, now=later)
    assert counts["log"] >= 5 and counts["access"] == 3
    assert not AccessEvent.objects.exists()
    assert AuditSeal.objects.filter(pruned_at__isnull=False).exists()
    _verify()


def test_entries_within_the_grace_period_wait(org, settings):
    settings.AUDIT_SEAL_GRACE_SECONDS = 3600
    Department.objects.create(name="刚建的部门", code="audit-test-grace", kind="team")
    assert sealing.seal_chain(Chain.LOG) == 0


def test_problems_are_named_in_the_readers_language(trail):
    from django.utils import translation

    victim, seal = trail[2], AuditSeal.objects.filter(chain=Chain.LOG).first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET object_repr = 'forged' WHERE id = %s", [victim.id])
    with translation.override("en"):
        (problem,) = sealing.verify_chain(Chain.LOG).problems
    assert problem.message == f"Entry #{victim.id} does not match the digest in seal #{seal.pk}: altered"
    AuditSeal.objects.filter(pk=seal.pk).update(digest="f" * 64)
    with translation.override("en"):
        (problem,) = sealing.verify_chain(Chain.LOG).problems
    assert problem.message.endswith(": the seal's contents do not match its digest (the seal was altered)")
    assert "封存" not in problem.message
