"""The consent ledger: append-only, state derived in the same transaction, separate consent never implied."""

import pytest
from django.db import IntegrityError, connection, transaction

from privacy.consent import services
from privacy.models import Channel, ConsentEvent, ConsentState, LedgerError, SeparateConsent
from privacy.selfservice import services as link_services

from . import sharing_factories

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


def test_privileged_purge_removes_history_of_erased_person(contact, dpo):
    grant(contact, "policy_push")
    partner, _agreement, _assessment, purpose = sharing_factories.ready(dpo)
    sharing_factories.grant_for(contact, purpose, partner)
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


def test_separate_purpose_cannot_be_granted_without_its_details(contact, dpo):
    partner, _g, _a, purpose = sharing_factories.ready(dpo, purpose="overseas_hq", overseas=True)
    with pytest.raises(services.ConsentError):
        grant(contact, "partner_sharing")  # no recipient named
    with pytest.raises(services.ConsentError):
        grant(contact, purpose, recipient=partner, separate={"recipient": "x", "purpose_text": "", "method": "y"})
    assert not ConsentEvent.objects.filter(contact=contact).exists()


def test_separate_consent_records_recipient_name_contact_purpose_method_categories(contact, dpo):
    partner, agreement, _a, purpose = sharing_factories.ready(dpo, purpose="overseas_hq", overseas=True)
    event = grant(contact, purpose, recipient=partner, separate=services.separate_details(purpose, recipient=partner))
    details = SeparateConsent.objects.get(event=event)
    assert details.recipient.startswith(partner.name) and "0512-66881234" in details.recipient
    assert details.method == agreement.processing_method
    assert details.categories == purpose.categories
    assert event.recipient == partner
    services.consent_require(contact, "overseas_hq", recipient=partner)
    with pytest.raises(services.ConsentRequired):
        services.consent_require(contact, "overseas_hq")  # a recipient must be named
    with pytest.raises(services.ConsentRequired):
        services.consent_require(contact, "partner_sharing", recipient=partner)


def test_a_partner_without_an_agreement_in_force_cannot_be_consented_to(contact, dpo):
    purpose = services._purpose("partner_sharing")
    stranger = sharing_factories.partner(dpo)
    with pytest.raises(services.ConsentError) as exc:
        grant(contact, purpose, recipient=stranger, separate=services.separate_details(purpose, recipient=stranger))
    assert "没有有效的提供协议" in exc.value.messages[0]


def test_withdrawal_names_one_recipient_and_leaves_the_others(contact, dpo):
    first, _g, _a, purpose = sharing_factories.ready(dpo)
    second, _g2, _a2, _p2 = sharing_factories.ready(dpo)
    for partner in (first, second):
        sharing_factories.grant_for(contact, purpose, partner)
    services.consent_withdraw(contact=contact, purpose=purpose, channel=Channel.SELFSERVICE, recipient=first)
    with pytest.raises(services.ConsentRequired):
        services.consent_require(contact, purpose, recipient=first)
    services.consent_require(contact, purpose, recipient=second)
    assert services.consent_withdraw_all(contact=contact, channel=Channel.SELFSERVICE) == 1
    with pytest.raises(services.ConsentRequired):
        services.consent_require(contact, purpose, recipient=second)


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


def test_the_recipient_named_in_a_separate_consent_reads_in_the_readers_language(dpo):
    from django.utils import translation

    partner, _agreement, _assessment, purpose = sharing_factories.ready(dpo)
    with translation.override("en"):
        english = services.separate_details(purpose, recipient=partner)["recipient"]
    chinese = services.separate_details(purpose, recipient=partner)["recipient"]
    phone, email = partner.contact_phone, partner.contact_email
    assert english == f"{partner.name} (Phone: {phone}; E-mail: {email})"
    assert chinese == f"{partner.name}（电话：{phone}；邮箱：{email}）"
