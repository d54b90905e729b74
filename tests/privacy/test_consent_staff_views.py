"""Staff consent pages: permission matrix, offline consent with evidence, panel, exports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AccessEvent
from privacy.consent import services
from privacy.models import Channel, ConsentEvent, SelfServiceLink

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _url(name, contact):
    return {
        "record": f"/privacy/contacts/{contact.pk}/consent/",
        "coverage": "/privacy/consent/coverage/",
        "states": "/privacy/consent/export.csv",
        "renewals": "/privacy/consent/renewals/",
        "outreach": "/privacy/outreach/export.csv",
        "requests": "/privacy/requests/",
    }[name]


# persona -> page -> expected status (contact belongs to officer1, 招商一局)
MATRIX = {
    # [H] officers and department heads see the request queue: only the requests assigned to them
    "officer1": {"record": 200, "coverage": 200, "states": 403, "renewals": 200, "outreach": 200, "requests": 200},
    "officer2": {"record": 404, "coverage": 200, "states": 403, "renewals": 200, "outreach": 200, "requests": 200},
    "head1": {"record": 200, "coverage": 200, "states": 200, "renewals": 200, "outreach": 200, "requests": 200},
    "dpo": {"record": 200, "coverage": 200, "states": 200, "renewals": 200, "outreach": 403, "requests": 200},
    "auditor": {"record": 403, "coverage": 200, "states": 403, "renewals": 200, "outreach": 403, "requests": 403},
    "handler": {"record": 404, "coverage": 403, "states": 403, "renewals": 403, "outreach": 403, "requests": 403},
    "outsider": {"record": 404, "coverage": 403, "states": 403, "renewals": 403, "outreach": 403, "requests": 403},
}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_permission_matrix(persona, org, contact, client_for):
    client = client_for(org[persona])
    for url_name, expected in MATRIX[persona].items():
        assert client.get(_url(url_name, contact)).status_code == expected, (persona, url_name)


# (not named "page": that is pytest-playwright's browser fixture)
@pytest.mark.parametrize("url_name", ["record", "coverage", "states", "renewals", "outreach", "requests"])
def test_anonymous_is_sent_to_login(url_name, contact, client):
    response = client.get(_url(url_name, contact))
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_offline_paper_consent_with_evidence_and_permission_checked_download(officer1, officer2, contact, client_for):
    client = client_for(officer1)
    upload = SimpleUploadedFile("signed.png", PNG, content_type="image/png")
    response = client.post(
        f"/privacy/contacts/{contact.pk}/consent/",
        {"purpose": services._purpose("policy_push").pk, "action": "granted", "channel": "paper", "evidence": upload},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = ConsentEvent.objects.get(contact=contact)
    assert event.channel == Channel.PAPER and event.actor == officer1 and event.evidence_type == "image/png"
    assert client.get(f"/privacy/evidence/{event.pk}/").status_code == 200
    assert client_for(officer2).get(f"/privacy/evidence/{event.pk}/").status_code == 404


def test_evidence_type_is_checked_by_content(officer1, contact, client_for):
    fake = SimpleUploadedFile("signed.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client_for(officer1).post(
        f"/privacy/contacts/{contact.pk}/consent/",
        {"purpose": services._purpose("policy_push").pk, "action": "granted", "channel": "paper", "evidence": fake},
    )
    assert response.status_code == 200
    assert "不是有效的图片或PDF文件" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_offline_separate_consent_needs_explicit_confirmation_and_a_recipient(officer1, dpo, contact, client_for):
    from . import sharing_factories

    partner, _g, _a, purpose = sharing_factories.ready(dpo, purpose="overseas_hq", overseas=True)
    data = {"purpose": purpose.pk, "action": "granted", "channel": "onsite"}
    response = client_for(officer1).post(f"/privacy/contacts/{contact.pk}/consent/", data)
    assert response.status_code == 200 and not ConsentEvent.objects.exists()
    url = f"/privacy/contacts/{contact.pk}/consent/"
    response = client_for(officer1).post(url, {**data, "separate_confirmed": "on"})
    assert "须指明接收方" in response.content.decode() and not ConsentEvent.objects.exists()
    client_for(officer1).post(
        f"/privacy/contacts/{contact.pk}/consent/", {**data, "separate_confirmed": "on", "recipient": partner.pk}
    )
    services.consent_require(contact, "overseas_hq", recipient=partner)


def test_contact_page_shows_consent_panel_and_history(officer1, contact, client_for):
    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.SELFSERVICE)
    body = client_for(officer1).get(f"/clients/contacts/{contact.pk}/").content.decode()
    assert 'id="consent-panel"' in body and "政策推送与活动邀请" in body and "本人" in body


def test_issue_link_as_qr_and_revoke(officer1, contact, client_for):
    client = client_for(officer1)
    response = client.post(f"/privacy/contacts/{contact.pk}/link/", {"via": "print"})
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert SelfServiceLink.objects.filter(contact=contact, channel="print").count() == 1
    client.post(f"/privacy/contacts/{contact.pk}/link/revoke/")
    assert not SelfServiceLink.objects.filter(contact=contact, revoked_at__isnull=True).exists()


def test_send_link_by_email(officer1, contact, client_for, mailoutbox):
    client_for(officer1).post(f"/privacy/contacts/{contact.pk}/link/", {"via": "email"})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [str(contact.email)] and "/c/" in message.body
    assert message.alternatives and "/c/" in message.alternatives[0][0]


def test_send_link_by_sms_uses_pluggable_backend(officer1, contact, client_for, settings):
    from privacy.sms import LocmemSmsBackend

    settings.SMS_BACKEND = "privacy.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    client_for(officer1).post(f"/privacy/contacts/{contact.pk}/link/", {"via": "sms"})
    assert len(LocmemSmsBackend.outbox) == 1 and "/c/" in LocmemSmsBackend.outbox[0][1]


def test_states_export_is_an_access_event_with_subjects(head1, contact, client_for):
    services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.SELFSERVICE)
    response = client_for(head1).get("/privacy/consent/export.csv")
    assert response.status_code == 200 and "policy_push" in response.content.decode("utf-8-sig")
    event = AccessEvent.objects.filter(action="export").latest("pk")
    assert contact.pk in set(event.subjects.values_list("contact_id", flat=True))


def test_coverage_counts_by_purpose(dpo, make_contact, client_for, django_assert_max_num_queries):
    for c in (make_contact(), make_contact()):
        services.consent_grant(contact=c, purpose="policy_push", channel=Channel.SELFSERVICE)
    client = client_for(dpo)
    with django_assert_max_num_queries(15):
        body = client.get("/privacy/consent/coverage/").content.decode()
    assert 'data-purpose="policy_push"' in body


def test_ledger_is_read_only_in_admin(admin_user, contact, client_for):
    event = services.consent_grant(contact=contact, purpose="policy_push", channel=Channel.SELFSERVICE)
    client = client_for(admin_user)
    assert client.get("/admin/privacy/consentevent/add/").status_code == 403
    assert client.post(f"/admin/privacy/consentevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ConsentEvent.objects.filter(pk=event.pk).exists()
