"""The self-service page: what it shows, one-click grant and withdraw, requests, complaints."""

import pytest

from audit.access import record_access
from audit.models import AccessEvent
from privacy.consent import services
from privacy.models import Channel, ConsentEvent, ConsentState, SubjectRequest
from privacy.selfservice import services as link_services
from tests.privacy.conftest import open_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(client, contact):
    """The page, opened through the link's door: "/c/"."""
    return open_link(client, link_services.selfservice_link(contact))


def test_page_shows_zone_officer_masked_data_and_purposes(client, contact, path, settings):
    body = client.get(path).content.decode()
    assert settings.ZONE_NAME in body and settings.PRIVACY_OFFICER_CONTACT in body
    assert str(contact.mobile) not in body and str(contact.email) not in body and "张三丰" not in body
    assert str(contact.mobile)[-4:] in body  # masked: 138****NNNN
    for name in ("招商联络", "政策推送与活动邀请", "向合作园区或中介机构提供", "向境外总部提供", "满意度回访"):
        assert name in body
    assert "订立、履行合同所必需" in body  # a non-consent basis is shown to the person


def test_each_view_is_an_access_event_about_the_person(client, contact, path):
    client.get(path)
    event = AccessEvent.objects.get(action="selfservice_view")
    assert event.user is None and event.object_id == str(contact.pk)
    assert list(event.subjects.values_list("contact_id", flat=True)) == [contact.pk]


def test_one_click_grant_and_withdraw(client, contact, path):
    response = client.post(path + "consent/", {"purpose": "policy_push", "action": "grant"}, HTTP_USER_AGENT="UA/1")
    assert response.status_code == 302 and response["Location"].startswith(path)
    event = ConsentEvent.objects.get(contact=contact)
    assert event.channel == Channel.SELFSERVICE and event.actor is None and event.user_agent == "UA/1" and event.ip_hash
    client.post(path + "consent/", {"purpose": "policy_push", "action": "withdraw"})
    assert not ConsentState.objects.get(contact=contact, purpose__code="policy_push").granted
    body = client.get(path).content.decode()
    assert "已撤回" in body


def test_separate_purpose_needs_its_own_confirmation_step_per_recipient(client, contact, path, dpo):
    from . import sharing_factories

    partner, _g, _a, _purpose = sharing_factories.ready(dpo)
    body = client.get(path).content.decode()
    assert partner.name in body and f'data-recipient="{partner.pk}"' in body
    step = f"{path}separate/partner_sharing/{partner.pk}/"
    data = {"purpose": "partner_sharing", "action": "grant", "recipient": partner.pk}
    response = client.post(path + "consent/", data)
    assert response.status_code == 302 and response["Location"] == step
    assert not ConsentEvent.objects.exists()
    page = client.get(step).content.decode()
    assert partner.name in page and "0512-66881234" in page  # the recipient's name and contact
    assert "处理方式" in page and "个人信息种类" in page and "加密传输" in page  # the agreement's method
    client.post(step, {})  # not confirmed
    assert not ConsentEvent.objects.exists()
    client.post(step, {"confirm": "yes"})
    services.consent_require(contact, "partner_sharing", recipient=partner)
    event = ConsentEvent.objects.get()
    assert event.recipient == partner and event.separate.recipient.startswith(partner.name)
    client.post(path + "consent/", {"purpose": "partner_sharing", "action": "withdraw", "recipient": partner.pk})
    with pytest.raises(services.ConsentRequired):
        services.consent_require(contact, "partner_sharing", recipient=partner)


def test_a_purpose_without_recipients_asks_for_nothing(client, path):
    body = client.get(path).content.decode()
    assert "目前没有接收方，无需同意。" in body
    assert client.get(path + "separate/partner_sharing/").status_code == 302


def test_withdraw_all(client, contact, path):
    for code in ("policy_push", "satisfaction"):
        client.post(path + "consent/", {"purpose": code, "action": "grant"})
    client.post(path + "withdraw-all/")
    assert not ConsentState.objects.filter(contact=contact, granted=True).exists()


def test_contract_purpose_cannot_be_toggled(client, contact, path):
    client.post(path + "consent/", {"purpose": "liaison", "action": "grant"})
    assert not ConsentEvent.objects.exists()


def test_get_on_actions_is_refused(client, path):
    assert client.get(path + "consent/").status_code == 405
    assert client.get(path + "withdraw-all/").status_code == 405


def test_requests_are_recorded_with_due_date(client, contact, path):
    # [H] the page's buttons lead to each kind's own short form
    for kind in ("access", "correction", "deletion"):
        response = client.post(path + "request/", {"kind": kind})
        assert response.status_code == 302 and response["Location"].endswith(f"request/{kind}/")
    forms = {
        "access": {"requester": "self"},
        "correction": {"requester": "self", "correction_field": "position", "correction_value": "总经理"},
        "deletion": {"requester": "self", "confirm": "on"},
    }
    for kind, data in forms.items():
        assert client.post(path + f"request/{kind}/", data).status_code == 302
    kinds = set(SubjectRequest.objects.filter(contact=contact).values_list("kind", flat=True))
    assert kinds == {"access", "correction", "deletion"}
    assert all(r.due_date > r.received_at.date() for r in SubjectRequest.objects.all())


def test_uses_of_data_are_listed(client, contact, path, officer1):
    record_access(officer1, "export", purpose="招商活动名单", row_count=3, subject_ids=[contact.pk])
    record_access(officer1, "reveal", contact, purpose="电话联系", subject_ids=[contact.pk])
    body = client.get(path).content.decode()
    assert "招商活动名单" in body
    assert "导出" in body


def test_english_toggle(client, path):
    client.cookies["django_language"] = "en"
    response = client.get(path)
    assert response.status_code == 200
    assert "Policy updates and event invitations" in response.content.decode()
