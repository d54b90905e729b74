"""The retention engine: what anonymise and delete do, batches, dry runs, resume after a crash."""

import datetime

import pytest
from django.utils import timezone

from privacy.crypto import SubjectKeyShredded
from privacy.retention.engine import Interrupted

from . import retention_factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _contacts_rule_only():
    f.only_rules("terminated-contacts")


@pytest.fixture
def make_complaint(db):
    from complaints import services
    from complaints.models import Channel, ComplaintCategory, ComplaintKind

    def _make(**overrides):
        data = {
            "kind": ComplaintKind.objects.get(code="complaint"),
            "category": ComplaintCategory.objects.get(code="policy"),
            "description": "招商时承诺的房租补贴至今没有兑现，请尽快处理。",
            "channel": Channel.WEB,
            "name": "李小明",
            "phone": "13812345678",
            "email": "li@example.cn",
        }
        data.update(overrides)
        return services.complaint_submit(**data)

    return _make


def _contact_model():
    from clients.models import Contact

    return Contact


def test_anonymise_blanks_identity_shreds_key_and_keeps_statistics():
    ent, (c1, c2) = f.expired_contacts(2)
    proj = ent.projects.get()
    run = f.run_purge()
    assert run.status == "succeeded"
    assert run.counts["terminated-contacts"]["processed"] == 2
    Contact = _contact_model()
    for c in (c1, c2):
        row = Contact.objects.get(pk=c.pk)
        assert (row.name, row.mobile, row.email, row.position) == ("", "", "", "")
        assert row.mobile_index is None and row.email_index is None
        assert row.subject_key.is_shredded
    proj.refresh_from_db()
    assert (proj.stage, proj.planned_investment) == ("terminated", 1000)  # statistics kept
    assert Contact.objects.filter(enterprise=ent).count() == 2  # counts kept


def test_anonymised_contact_is_unreadable_even_from_a_copy_of_its_row_taken_before():
    from privacy.models import SubjectKey

    _ent, (c,) = f.expired_contacts(1)
    Contact = _contact_model()
    copy = Contact._base_manager.filter(pk=c.pk).values("name", "mobile", "subject_key_id").get()  # a "backup"
    assert copy["name"].token.startswith("zs1$")
    f.run_purge()
    restored = Contact(pk=c.pk, enterprise_id=c.enterprise_id, subject_key_id=copy["subject_key_id"])
    restored.__dict__["name"] = copy["name"]
    restored.subject_key = SubjectKey.objects.get(pk=copy["subject_key_id"])
    with pytest.raises(SubjectKeyShredded):
        str(restored.name)


def test_unexpired_contacts_are_not_touched():
    _old, expired = f.expired_contacts(1)
    recent = f.enterprise()
    f.project(recent, changed=f.RECENTLY)  # terminated ten days ago
    fresh = f.contact(recent)
    mixed = f.enterprise()
    f.project(mixed)
    f.project(mixed, stage="negotiation", changed=f.LONG_AGO)  # one project still going
    active = f.contact(mixed)
    no_project = f.contact(f.enterprise())
    f.run_purge()
    Contact = _contact_model()
    for c in (fresh, active, no_project):
        row = Contact.objects.get(pk=c.pk)
        assert row.name == c.name and not row.subject_key.is_shredded
    assert Contact.objects.get(pk=expired[0].pk).name == ""


def test_delete_leaves_no_personal_data_behind(dpo, make_complaint):
    from complaints.models import Complaint
    from privacy.consent import services
    from privacy.models import ConsentEvent, ConsentState, Purpose, SelfServiceLink, SubjectRequest
    from privacy.requests import services as request_services
    from privacy.selfservice import services as link_services

    f.rule("terminated-contacts", action="delete")
    _ent, (c,) = f.expired_contacts(1)
    purpose = Purpose.objects.filter(legal_basis="consent", requires_separate_consent=False).first()
    services.consent_grant(contact=c, purpose=purpose, channel="system", actor=dpo)
    services.consent_withdraw(contact=c, purpose=purpose, channel="system", actor=dpo)
    link_services.selfservice_link(c, user=dpo)
    request_services.subject_request_create(contact=c, kind="access", details="请提供我的信息副本", user=dpo)
    complaint, _secret = make_complaint(contact=c)
    key_id = c.subject_key_id
    run = f.run_purge()
    assert run.status == "succeeded", run.errors
    assert not _contact_model()._base_manager.filter(pk=c.pk).exists()
    assert not ConsentEvent._base_manager.filter(contact_id=c.pk).exists()
    assert not ConsentState.objects.filter(contact_id=c.pk).exists()
    assert not SelfServiceLink.objects.filter(contact_id=c.pk).exists()
    assert not SubjectRequest._base_manager.filter(contact_id=c.pk).exists()
    from privacy.models import SubjectKey

    assert SubjectKey.objects.get(pk=key_id).is_shredded
    row = Complaint.objects.get(pk=complaint.pk)  # the complaint stays (its own rule), the identity goes
    assert (row.complainant_name, row.complainant_phone, row.contact_id) == ("", "", None)


def test_audit_entries_naming_the_person_are_redacted_not_deleted():
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    _ent, (c,) = f.expired_contacts(1)
    ct = ContentType.objects.get_for_model(_contact_model())
    entries = LogEntry.objects.filter(content_type=ct, object_pk=str(c.pk))
    before = entries.count()
    assert before >= 1
    f.rule("terminated-contacts", action="delete")
    f.run_purge()
    assert entries.count() == before  # never deleted
    for entry in entries:
        assert entry.object_repr == "[已删除]"
        assert entry.additional_data["redacted"] is True


def test_each_batch_writes_one_summary_access_event_with_ids_only(settings):
    from audit.models import AccessEvent

    settings.PURGE_BATCH_SIZE = 2
    _ent, contacts = f.expired_contacts(5)
    f.run_purge()
    events = AccessEvent.objects.filter(action="bulk", detail__rule="terminated-contacts").order_by("id")
    assert events.count() == 3
    assert sorted(f.purged_ids_from_audit("terminated-contacts")) == sorted(c.pk for c in contacts)
    assert all(set(e.detail) == {"purge_run", "rule", "model", "action", "batch", "ids"} for e in events)


def test_batch_size_is_never_above_500(settings):
    from privacy.retention.engine import batch_size

    settings.PURGE_BATCH_SIZE = 10_000
    assert batch_size() == 500


def test_dry_run_changes_nothing_and_previews_ids():
    from privacy.models import PurgeRunItem

    _ent, contacts = f.expired_contacts(3)
    run = f.run_purge(dry_run=True)
    assert run.status == "succeeded"
    assert run.counts["terminated-contacts"]["candidates"] == 3
    Contact = _contact_model()
    for c in contacts:
        row = Contact.objects.get(pk=c.pk)
        assert row.name == c.name and not row.subject_key.is_shredded
    previewed = PurgeRunItem.objects.filter(run=run, rule_code="terminated-contacts").values_list(
        "object_id", flat=True
    )
    assert sorted(previewed) == sorted(c.pk for c in contacts)
    assert set(PurgeRunItem.objects.filter(run=run).values_list("model", flat=True)) == {"clients.Contact"}


def test_crash_after_k_batches_then_rerun_purges_each_expired_row_exactly_once(settings):
    settings.PURGE_BATCH_SIZE = 3
    _ent, contacts = f.expired_contacts(10)
    recent = f.enterprise()
    f.project(recent, changed=f.RECENTLY)
    fresh = f.contact(recent)

    def crash_in_third_batch(*, rule, batch, ids):
        if batch == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        f.run_purge(on_batch=crash_in_third_batch)
    Contact = _contact_model()
    done = [c.pk for c in contacts if Contact.objects.get(pk=c.pk).name == ""]
    assert len(done) == 6  # two committed batches; the third rolled back
    rerun = f.run_purge()
    assert rerun.counts["terminated-contacts"]["processed"] == 4
    processed = f.purged_ids_from_audit("terminated-contacts")
    assert sorted(processed) == sorted(c.pk for c in contacts)  # every row once, none twice
    assert all(Contact.objects.get(pk=c.pk).subject_key.is_shredded for c in contacts)
    assert Contact.objects.get(pk=fresh.pk).name == fresh.name


def test_a_failing_batch_is_recorded_on_the_run_without_personal_data(settings, monkeypatch):
    from privacy.retention import engine as retention

    settings.PURGE_BATCH_SIZE = 2
    f.expired_contacts(4)

    def boom(*, rule, batch, ids):
        if batch == 2:
            raise ValueError("张三 13900000000")

    run = f.run_purge(on_batch=boom)
    assert run.status == "partial"
    assert run.errors[0]["error"] == "ValueError" and "张三" not in str(run.errors)
    assert run.counts["terminated-contacts"]["processed"] == 2
    assert retention.batch_size() == 2


def test_followup_notes_anonymised_once_the_project_has_been_quiet_for_the_period():
    from clients.models import FollowUp

    f.only_rules("followup-notes")
    ent = f.enterprise()
    quiet = f.project(ent)
    old_note = f.followup(quiet)
    busy = f.project(f.enterprise(), stage="negotiation")
    f.followup(busy)  # old note, but the project had a follow-up last week
    recent = f.followup(busy, date=timezone.localdate() - datetime.timedelta(days=7))
    run = f.run_purge()
    assert run.counts["followup-notes"]["processed"] == 1
    note = FollowUp.objects.get(pk=old_note.pk)
    assert note.summary == "" and note.participants == "" and note.date == old_note.date
    assert FollowUp.objects.get(pk=recent.pk).summary == recent.summary


def test_closed_complaint_is_anonymised_after_its_period(make_complaint):
    from complaints.models import Complaint

    f.only_rules("complaint-records")
    complaint, _secret = make_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(status="closed", closed_at=f.LONG_AGO)
    open_one, _secret = make_complaint()
    run = f.run_purge()
    assert run.counts["complaint-records"]["processed"] == 1
    row = Complaint.objects.get(pk=complaint.pk)
    assert (row.complainant_name, row.complainant_phone, row.description) == ("", "", "")
    assert row.reference == complaint.reference and row.subject_key.is_shredded
    assert Complaint.objects.get(pk=open_one.pk).complainant_name == "李小明"


def test_withdrawn_consent_history_is_deleted_after_its_period(dpo):
    from privacy.consent import services
    from privacy.models import ConsentEvent, ConsentState, Purpose

    f.only_rules("consent-evidence")
    ent = f.enterprise()
    withdrawn, granted = f.contact(ent), f.contact(ent)
    purpose = Purpose.objects.filter(legal_basis="consent", requires_separate_consent=False).first()
    for c in (withdrawn, granted):
        services.consent_grant(contact=c, purpose=purpose, channel="system", actor=dpo)
    services.consent_withdraw(contact=withdrawn, purpose=purpose, channel="system", actor=dpo)
    # The ledger refuses UPDATE even to tests: run the purge four years from now instead.
    run = f.run_purge(now=timezone.now() + datetime.timedelta(days=4 * 365))
    assert run.counts["consent-evidence"]["processed"] == 2, run.errors
    assert not ConsentEvent._base_manager.filter(contact=withdrawn).exists()
    assert not ConsentState.objects.filter(contact=withdrawn).exists()
    assert ConsentEvent._base_manager.filter(contact=granted).count() == 1


def test_withdrawing_one_recipient_purges_only_that_recipients_history(dpo):
    """[I] one consent per recipient: a final withdrawal from recipient A never takes B's consent with it."""
    from privacy.consent import services
    from privacy.models import ConsentEvent, ConsentState

    from . import sharing_factories

    f.only_rules("consent-evidence")
    person = f.contact(f.enterprise())
    first, _g, _a, purpose = sharing_factories.ready(dpo)
    second, _g2, _a2, _p2 = sharing_factories.ready(dpo)
    sharing_factories.grant_for(person, purpose, first)
    sharing_factories.grant_for(person, purpose, second)
    services.consent_withdraw(contact=person, purpose=purpose, channel="system", actor=dpo, recipient=first)
    run = f.run_purge(now=timezone.now() + datetime.timedelta(days=4 * 365))
    assert run.counts["consent-evidence"]["processed"] == 2, run.errors  # A's grant and withdrawal
    assert set(ConsentEvent._base_manager.filter(contact=person).values_list("recipient_id", flat=True)) == {second.pk}
    services.consent_require(person, purpose, recipient=second)  # B's consent stands
    assert not ConsentState.objects.filter(contact=person, recipient=first).exists()
