"""The consent ledger: append-only, state derived in the same transaction, separate consent never implied."""

import pytest
from django.db import IntegrityError, connection, transaction

from privacy.consent import services
from privacy.models import Channel, ConsentEvent, ConsentState, LedgerError, SeparateConsent
from privacy.selfservice import services as link_services

pytestmark = pytest.mark.django_db


def grant(contact, code, **kw):
    return services.consent_grant(contact=contact, purpose=code, channel=Channel.SELFSERVICE, **kw)


def test_grant_writes_event_and_state_together(contact):
    event = grant(contact, "policy_push")
    state = ConsentState.objects.get(contact=contact, purpose__code="policy_push")
    assert state.granted and state.last_event == event
    assert event.policy is not None and event.policy.version == "1.0"
    services.consent_require(contact, "policy_push")  # passes


def test_event_cannot_be_updated_through_save(contact):
    event = grant(contact, "policy_push")
    event.action = "withdrawn"
    with pytest.raises(LedgerError):
        event.save()
    assert ConsentEvent.objects.get(pk=event.pk).action == "granted"


def test_event_cannot_be_deleted_through_model_or_queryset(contact):
    event = grant(contact, "policy_push")
    with pytest.raises(LedgerError):
        event.delete()
    with pytest.raises(LedgerError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(LedgerError):
        ConsentEvent.objects.filter(pk=event.pk).update(action="withdrawn")
    assert ConsentEvent.objects.filter(pk=event.pk, action="granted").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger is PostgreSQL-only")
def test_database_trigger_refuses_raw_update_and_delete(contact):
    event = grant(contact, "policy_push")
    for sql in (
        "UPDATE privacy_consentevent SET action = 'withdrawn' WHERE id = %s",
        "DELETE FROM privacy_consentevent WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert ConsentEvent.objects.filter(pk=event.pk, action="granted").exists()


def test_privileged_purge_removes_history_of_erased_person(contact):
    grant(contact, "policy_push")
    services.consent_grant(
        contact=contact,
        purpose="partner_sharing",
        channel=Channel.SELFSERVICE,
        separate=services.separate_details(services._purpose("partner_sharing")),
    )
    link_services.selfservice_link(contact)
    assert services.consent_history_purge(contact=contact) == 2
    assert not ConsentEvent.objects.filter(contact=contact).exists()
    assert not ConsentState.objects.filter(contact=contact).exists()
    assert not SeparateConsent.objects.filter(event__contact=contact).exists()


def test_withdraw_is_immediate_and_recorded(contact):
    grant(contact, "policy_push")
    event = services.consent_withdraw(contact=contact, purpose="policy_push", channel=Channel.SELFSERVICE)
    assert event.action == "withdrawn"
    with pytest.raises(services.ConsentRequired) as exc:
        services.consent_require(contact, "policy_push")
    assert "政策推送与活动邀请" in str(exc.value)
    assert [e.action for e in services.consent_history(contact)] == ["withdrawn", "granted"]


def test_repeated_grant_does_not_duplicate_events(contact):
    grant(contact, "policy_push")
    assert grant(contact, "policy_push") is None
    assert ConsentEvent.objects.filter(contact=contact).count() == 1


def test_withdraw_all_withdraws_every_granted_purpose(contact):
    grant(contact, "policy_push")
    grant(contact, "satisfaction")
    assert services.consent_withdraw_all(contact=contact, channel=Channel.SELFSERVICE) == 2
    assert not ConsentState.objects.filter(contact=contact, granted=True).exists()


def test_general_consent_never_implies_separate_consent(contact):
    grant(contact, "policy_push")
    grant(contact, "satisfaction")
    for code in ("partner_sharing", "overseas_hq"):
        with pytest.raises(services.ConsentRequired):
            services.consent_require(contact, code)


def test_separate_purpose_cannot_be_granted_without_its_details(contact):
    with pytest.raises(services.ConsentError):
        grant(contact, "partner_sharing")
    with pytest.raises(services.ConsentError):
        grant(contact, "overseas_hq", separate={"recipient": "x", "purpose_text": "", "method": "y"})
    assert not ConsentEvent.objects.filter(contact=contact).exists()


def test_separate_consent_records_recipient_purpose_method_categories(contact):
    purpose = services._purpose("overseas_hq")
    event = grant(contact, purpose, separate=services.separate_details(purpose))
    details = SeparateConsent.objects.get(event=event)
    assert details.recipient == purpose.recipient
    assert details.method == purpose.processing_method
    assert details.categories == purpose.categories
    services.consent_require(contact, "overseas_hq")
    with pytest.raises(services.ConsentRequired):
        services.consent_require(contact, "partner_sharing")


def test_contract_purpose_passes_without_consent_and_cannot_be_granted(contact):
    services.consent_require(contact, "liaison")
    with pytest.raises(services.ConsentError):
        grant(contact, "liaison")


def test_online_event_stores_hashed_ip_and_user_agent(contact, rf):
    request = rf.post("/", HTTP_USER_AGENT="TestBrowser/1.0", REMOTE_ADDR="203.0.113.9")
    event = grant(contact, "policy_push", request=request)
    assert event.user_agent == "TestBrowser/1.0"
    assert len(event.ip_hash) == 64 and "203.0.113.9" not in event.ip_hash
    assert event.ip_hash == services.ip_hash(request)


def test_paper_consent_requires_evidence(contact, officer1):
    with pytest.raises(services.ConsentError):
        services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.PAPER, actor=officer1)
