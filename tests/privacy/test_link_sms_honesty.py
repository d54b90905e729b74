"""Sending a self-service link by SMS never claims success when nothing was sent: without a provider
the page says so and offers e-mail or the on-screen link; a gateway that refuses leaves no live link."""

import pytest

from privacy.models import SelfServiceLink
from privacy.sms import BaseSmsBackend

pytestmark = pytest.mark.django_db


class RefusingSmsBackend(BaseSmsBackend):
    def send(self, number, text):
        return False


def _send(client, contact):
    return client.post(f"/privacy/contacts/{contact.pk}/link/", {"via": "sms"}, follow=True)


def test_without_a_provider_the_page_says_nothing_was_sent(officer1, contact, client_for, settings):
    settings.SMS_BACKEND = "privacy.sms.NullSmsBackend"  # the default outside DEBUG
    body = _send(client_for(officer1), contact).content.decode()
    assert "已通过短信发送" not in body
    assert "未配置短信服务，链接没有发送" in body and "电子邮件" in body
    assert not SelfServiceLink.objects.filter(contact=contact).exists()


def test_the_channel_list_marks_sms_as_not_configured(officer1, contact, client_for, settings):
    settings.SMS_BACKEND = "privacy.sms.NullSmsBackend"
    page = client_for(officer1).get(f"/clients/contacts/{contact.pk}/").content.decode()
    assert "短信（未配置短信服务）" in page


def test_a_gateway_that_refuses_leaves_no_live_link(officer1, contact, client_for, settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    body = _send(client_for(officer1), contact).content.decode()
    assert "短信网关没有接受该短信" in body and "已通过短信发送" not in body
    assert not SelfServiceLink.objects.filter(contact=contact, revoked_at__isnull=True).exists()


def test_a_configured_provider_still_sends(officer1, contact, client_for, settings):
    from privacy.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    body = _send(client_for(officer1), contact).content.decode()
    assert "自助链接已通过短信发送" in body and len(LocmemSmsBackend.outbox) == 1
