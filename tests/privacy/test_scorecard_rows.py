"""Each PIPL scorecard row goes red with data that breaks it and green once the data is fixed,
called directly and as the page shows it (/privacy/scorecard/)."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessEvent, AuditEngagement, Finding, Rectification
from privacy.consent import services as consent
from privacy.crypto import declared
from privacy.models import (
    Channel,
    ConsentState,
    DataShare,
    LawEntry,
    PolicyReview,
    PurgeRun,
    Purpose,
    ShareSubject,
    SubjectRequest,
)
from privacy.scorecard.base import GREEN, NO_DATA, RED
from privacy.sharing.models import Agreement

from . import sharing_factories as f
from .scorecard_helpers import both, result_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(client, dpo):
    client.force_login(dpo)
    return client


def _share(dpo, partner, agreement, purpose, contact, *, at=None):
    share = DataShare.objects.create(
        partner=partner,
        agreement=agreement,
        purpose=purpose,
        legal_basis="consent",
        fields=["name", "mobile"],
        person_count=1,
        created_by=dpo,
        created_at=at or timezone.now(),
    )
    ShareSubject.objects.create(share=share, contact_id=contact.pk)
    return share


def test_13_consent_coverage_red_when_people_were_never_asked_green_when_asked(card, make_contact):
    people = [make_contact() for _ in range(3)]
    assert both(card, "13-consent") == RED
    for purpose in Purpose.objects.filter(is_active=True, provides_to_others=False):
        if purpose.needs_consent:
            for person in people:
                consent.consent_grant(contact=person, purpose=purpose, channel=Channel.SELFSERVICE)
    assert both(card, "13-consent") == GREEN


def test_15_withdrawal_red_when_a_share_followed_it_green_once_consent_is_given_again(card, dpo, contact):
    partner, agreement, _assessment, purpose = f.ready(dpo)
    f.grant_for(contact, purpose, partner)
    consent.consent_withdraw(contact=contact, purpose=purpose, channel=Channel.PHONE, recipient=partner)
    _share(dpo, partner, agreement, purpose, contact, at=timezone.now() + datetime.timedelta(minutes=1))
    assert both(card, "15-withdrawals") == RED
    f.grant_for(contact, purpose, partner)  # the person consents again: the state is granted
    assert both(card, "15-withdrawals") == GREEN


def test_17_policy_red_when_review_overdue_green_when_reviewed(card, dpo):
    assert result_of("17-policy").level == NO_DATA
    today = timezone.localdate()
    PolicyReview.objects.create(
        reviewed_on=today - datetime.timedelta(days=400), next_review_date=today - datetime.timedelta(days=35)
    )
    assert both(card, "17-policy") == RED
    PolicyReview.objects.create(reviewed_on=today, next_review_date=today + datetime.timedelta(days=365))
    assert both(card, "17-policy") == GREEN


def test_19_retention_red_when_the_last_run_is_old_or_left_rows_green_after_a_full_run(card):
    assert result_of("19-retention").level == NO_DATA
    now = timezone.now()
    PurgeRun.objects.create(status="succeeded", finished_at=now - datetime.timedelta(days=10), counts={})
    assert both(card, "19-retention") == RED
    PurgeRun.objects.create(
        status="succeeded",
        finished_at=now - datetime.timedelta(hours=2),
        counts={"r": {"candidates": 5, "processed": 3}},
    )
    assert both(card, "19-retention") == RED  # recent, but expired rows were left
    PurgeRun.objects.create(
        status="succeeded",
        finished_at=now - datetime.timedelta(hours=1),
        counts={"r": {"candidates": 5, "processed": 5}},
    )
    assert both(card, "19-retention") == GREEN


def test_21_agreements_red_when_a_term_is_missing_green_when_ticked(card, dpo):
    _partner, agreement, _assessment, _purpose = f.ready(dpo)
    assert both(card, "21-agreements") == GREEN
    Agreement.objects.filter(pk=agreement.pk).update(term_return_deletion=False)
    assert both(card, "21-agreements") == RED
    Agreement.objects.filter(pk=agreement.pk).update(term_return_deletion=True)
    assert both(card, "21-agreements") == GREEN


def test_23_shares_red_when_someone_was_provided_without_separate_consent_green_with_it(card, dpo, contact):
    partner, agreement, _assessment, purpose = f.ready(dpo)
    share = _share(dpo, partner, agreement, purpose, contact)
    assert both(card, "23-shares") == RED
    f.grant_for(contact, purpose, partner)
    assert both(card, "23-shares") == RED  # consent given after the share does not cover it
    DataShare.objects.filter(pk=share.pk).update(created_at=timezone.now() + datetime.timedelta(minutes=1))
    assert both(card, "23-shares") == GREEN


def test_38_cross_border_red_without_a_mechanism_reference_green_with_it(card, dpo):
    assert result_of("38-cross-border").level == NO_DATA
    purpose = Purpose.objects.get(code="overseas_hq")
    partner = f.partner(dpo, overseas=True)
    f.assessment(dpo, partner, [purpose], triggers=("cross_border", "provide"))
    agreement = f.agreement(dpo, partner, [purpose], cross_border_reference="沪标合备〔2025〕001号")
    assert both(card, "38-cross-border") == GREEN
    Agreement.objects.filter(pk=agreement.pk).update(cross_border_reference="")
    assert both(card, "38-cross-border") == RED
    Agreement.objects.filter(pk=agreement.pk).update(cross_border_reference="沪标合备〔2025〕001号")
    assert both(card, "38-cross-border") == GREEN


def test_44_requests_red_when_overdue_green_when_answered(card, contact):
    assert result_of("44-requests").level == NO_DATA
    past = timezone.localdate() - datetime.timedelta(days=3)
    for _ in range(3):
        SubjectRequest.objects.create(contact=contact, kind="access", due_date=past)
    result = result_of("44-requests")
    assert result.level == RED and result.figures["overdue"] == 3
    assert result.figures["median_days"] is None  # nothing answered yet
    assert both(card, "44-requests") == RED
    received = timezone.now() - datetime.timedelta(days=10)
    answers = [received + datetime.timedelta(days=d) for d in (2, 4, 9)]
    for req, closed in zip(SubjectRequest.objects.filter(contact=contact).order_by("pk"), answers, strict=True):
        SubjectRequest.objects.filter(pk=req.pk).update(status="completed", received_at=received, closed_at=closed)
    assert both(card, "44-requests") == GREEN
    assert result_of("44-requests").figures["median_days"] == 4.0


def test_51_encryption_red_when_a_declared_field_is_plain_green_when_all_encrypted(card, monkeypatch):
    assert both(card, "51-encryption") == GREEN
    monkeypatch.setattr(declared, "PERSONAL_FIELDS", (*declared.PERSONAL_FIELDS, "clients.Contact.position"))
    result = result_of("51-encryption")
    assert result.level == RED and "clients.Contact.position" in result.figures["plain"]
    assert both(card, "51-encryption") == RED


def test_51_out_of_scope_red_with_many_denied_attempts_green_once_they_age_out(card, officer1):
    AccessEvent.objects.bulk_create(AccessEvent(user=officer1, action="denied") for _ in range(60))
    assert both(card, "51-out-of-scope") == RED
    AccessEvent.objects.filter(action="denied").update(at=timezone.now() - datetime.timedelta(days=40))
    assert both(card, "51-out-of-scope") == GREEN


def test_54_audit_red_with_overdue_rectifications_green_when_verified(card, auditor, dpo):
    today = timezone.localdate()
    assert result_of("54-audit").level == NO_DATA
    engagement = AuditEngagement.objects.create(
        title="年度合规审计",
        scope="全部",
        period_start=today - datetime.timedelta(days=90),
        period_end=today - datetime.timedelta(days=10),
        lead=auditor,
        status="closed",
    )
    finding = Finding.objects.create(engagement=engagement, title="权限过宽", description="……", created_by=auditor)
    for _ in range(3):
        Rectification.objects.create(
            finding=finding, action="收紧权限", owner=dpo, due_date=today - datetime.timedelta(days=5)
        )
    assert both(card, "54-audit") == RED
    Rectification.objects.filter(finding=finding).update(status="verified")
    assert both(card, "54-audit") == GREEN


def test_55_assessments_red_when_a_trigger_lacks_an_assessment_green_when_covered(card, dpo):
    purpose = Purpose.objects.get(code="partner_sharing")
    partner = f.partner(dpo)
    covering = f.assessment(dpo, partner, [purpose], triggers=("entrust",))
    f.agreement(dpo, partner, [purpose], kind="entrusted")
    assert both(card, "55-assessments") == GREEN
    # the assessment is closed: the entrusted processing goes on without one
    type(covering).objects.filter(pk=covering.pk).update(ended_at=timezone.now(), status="closed")
    result = result_of("55-assessments")
    assert result.level == RED and result.figures["uncovered"]
    assert both(card, "55-assessments") == RED
    f.assessment(dpo, partner, [purpose], triggers=("entrust",))
    assert both(card, "55-assessments") == GREEN


def test_55_assessments_red_when_a_review_is_overdue(card, dpo):
    purpose = Purpose.objects.get(code="partner_sharing")
    partner = f.partner(dpo)
    done = f.assessment(dpo, partner, [purpose], triggers=("entrust",))
    assert both(card, "55-assessments") == GREEN
    type(done).objects.filter(pk=done.pk).update(next_review_date=timezone.localdate() - datetime.timedelta(days=1))
    assert both(card, "55-assessments") == RED


def test_rows_without_data_are_never_green(card):
    for key in (
        "15-withdrawals",
        "17-policy",
        "19-retention",
        "23-shares",
        "38-cross-border",
        "44-requests",
        "54-audit",
    ):
        assert result_of(key).level == NO_DATA, key


def test_the_seeded_law_register_is_there():
    names = set(LawEntry.objects.values_list("name", flat=True))
    assert "中华人民共和国个人信息保护法" in names
    assert LawEntry.objects.get(name="个人信息保护合规审计管理办法").effective_date == datetime.date(2025, 5, 1)
    assert LawEntry.objects.get(name="国家网络安全事件报告管理办法").effective_date == datetime.date(2025, 11, 1)


def test_consent_state_query_is_not_required_for_green(card):
    # no contacts at all: coverage says so instead of showing green
    assert ConsentState.objects.count() == 0
    assert result_of("13-consent").level in (NO_DATA, RED)
