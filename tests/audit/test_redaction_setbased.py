"""Set-based redaction (`redact_entries_for`): every entry naming the people, marked not deleted,
verifiable afterwards, and a number of queries that does not grow with the number of people."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from audit import sealing
from audit.access import record_access
from audit.models import AccessEvent, Redaction
from audit.services import REDACTED, any_of, redact_entries_for

pytestmark = pytest.mark.django_db


def _people(n, dpo):
    """`n` contacts (auditlog writes their entries) with a consent each and an access event naming them."""
    from clients.models import Contact, Enterprise
    from privacy.consent import services
    from privacy.models import Purpose

    ent = Enterprise.objects.create(name="脱敏测试企业有限公司")
    purpose = Purpose.objects.filter(legal_basis="consent", requires_separate_consent=False).first()
    contacts = []
    for i in range(n):
        c = Contact.objects.create(enterprise=ent, name=f"王{i}", mobile=f"1370000{i:04d}", email=f"w{i}@example.cn")
        services.consent_grant(contact=c, purpose=purpose, channel="system", actor=dpo)
        contacts.append(c)
    record_access(dpo, AccessEvent.Action.EXPORT, purpose="测试导出", subject_ids=[c.pk for c in contacts])
    for c in contacts:
        record_access(dpo, AccessEvent.Action.VIEW, c, purpose="测试查看")
    return contacts


def _entries_of(model, pks):
    ct = ContentType.objects.get_for_model(model)
    return LogEntry.objects.filter(content_type=ct, object_pk__in=[str(pk) for pk in pks])


def test_entries_of_the_people_and_their_consents_are_redacted_marked_and_kept(dpo, seal_now):
    from privacy.models import ConsentEvent

    contacts = _people(3, dpo)
    ids = [c.pk for c in contacts]
    events = list(ConsentEvent._base_manager.filter(contact__in=ids).values_list("pk", flat=True))
    bystander = _people(1, dpo)[0]
    sealing.seal_all()
    own, consents = _entries_of(type(contacts[0]), ids), _entries_of(ConsentEvent, events)
    counts = (own.count(), consents.count(), AccessEvent.objects.count())
    assert counts[0] >= 3 and counts[1] >= 3

    changed = redact_entries_for(contact_ids=ids, reason="retention", reference="purge-run:1")

    assert (own.count(), consents.count(), AccessEvent.objects.count()) == counts  # nothing deleted
    for entry in [*own, *consents]:
        assert entry.object_repr == REDACTED and entry.additional_data["redacted"] is True
        assert all(v == [REDACTED, REDACTED] for v in entry.changes.values())
    views = AccessEvent.objects.filter(object_id__in=[str(pk) for pk in ids], action=AccessEvent.Action.VIEW)
    assert views.count() == 3 and all(e.redacted and e.detail == {"redacted": True} for e in views)
    assert AccessEvent.objects.get(action=AccessEvent.Action.EXPORT, subjects__contact_id=ids[0]).redacted
    assert Redaction.objects.count() == changed
    assert _entries_of(type(bystander), [bystander.pk]).first().object_repr != REDACTED  # others untouched
    sealing.seal_all()
    for report in sealing.verify_all():
        assert report.ok, report.problems


def test_redacting_twice_keeps_the_sealed_chain_verifiable(dpo, seal_now):
    ids = [c.pk for c in _people(2, dpo)]
    sealing.seal_all()
    assert redact_entries_for(contact_ids=ids) > 0
    events_before = Redaction.objects.filter(chain="access").count()
    redact_entries_for(contact_ids=ids)  # log entries get a fresh marker time; events are unchanged
    assert Redaction.objects.filter(chain="access").count() == events_before
    sealing.seal_all()
    for report in sealing.verify_all():
        assert report.ok, report.problems


def test_number_of_queries_does_not_grow_with_the_number_of_people(dpo, django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    few, many = _people(2, dpo), _people(12, dpo)
    with CaptureQueriesContext(connection) as small:
        redact_entries_for(contact_ids=[c.pk for c in few])
    with django_assert_max_num_queries(len(small.captured_queries)):
        redact_entries_for(contact_ids=[c.pk for c in many])


@pytest.mark.parametrize("values", [[], [1, 2, 3], ["7", "8", 'x"y\\z']])
def test_any_of_matches_what_in_matches(values, dpo):
    _people(1, dpo)
    field = "object_pk" if values and isinstance(values[0], str) else "id"
    expected = set(LogEntry.objects.filter(**{f"{field}__in": values}).values_list("id", flat=True))
    assert set(LogEntry.objects.filter(any_of(field, values)).values_list("id", flat=True)) == expected


def test_recorded_digests_are_those_of_the_rows_as_stored(dpo, seal_now):
    """The "after" digest is computed from the rewritten row, not read back: it must equal the
    digest of the row as PostgreSQL stores and returns it, and "before" that of the row as it was."""
    from privacy.models import ConsentEvent

    contacts = _people(3, dpo)
    ids = [c.pk for c in contacts]
    events = list(ConsentEvent._base_manager.filter(contact__in=ids).values_list("pk", flat=True))
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(contacts[0]))).update(
        serialized_data={"fields": {"name": "王0", "n": 1.5, "nested": {"b": [1, None, True]}}}
    )
    algorithm = sealing.current_algorithm()
    log_ids = [*_entries_of(type(contacts[0]), ids).values_list("id", flat=True)]
    log_ids += _entries_of(ConsentEvent, events).values_list("id", flat=True)
    before = {i: sealing.digest_of("log", i, algorithm) for i in log_ids}

    redact_entries_for(contact_ids=ids, reason="retention", reference="purge-run:9")

    records = list(Redaction.objects.all())
    assert {r.entry_id for r in records if r.chain == "log"} == set(log_ids)
    assert {r.chain for r in records} == {"log", "access"}
    for record in records:
        assert record.redacted_digest == sealing.digest_of(record.chain, record.entry_id, record.algorithm)
        assert record.original_digest != record.redacted_digest
        assert record.reason == "retention" and record.reference == "purge-run:9"
        if record.chain == "log":
            assert record.original_digest == before[record.entry_id]


def test_log_table_keeps_an_index_for_each_lookup_and_drops_the_redundant_ones():
    """Migration 0006: the workspace's keyset pages, the redaction probe and the single-column
    filters keep their indexes; the prefix-covered and pattern-ops copies are gone."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'auditlog_logentry'")
        columns = {d.split(" USING btree ", 1)[1] for (d,) in cursor.fetchall()}
    for kept in ["(id)", "(actor_id, id)", "(content_type_id, object_pk, id)", "(object_pk)", "(cid)", "(object_id)"]:
        assert kept in columns
    assert not {"(actor_id)", "(content_type_id)"} & columns
    assert not [c for c in columns if "varchar_pattern_ops" in c]
