"""The self-service page: its view is the same access event record_access writes, the language
switcher works without copying the token into the page, and refused tokens write nothing."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from audit.access import record_access
from audit.models import AccessEvent, AccessSubject
from privacy.models import SelfServiceLink
from privacy.selfservice import services as link_services

pytestmark = pytest.mark.django_db


def token_of(path):
    return path.split("/")[2]


def _row(event):
    fields = [f.attname for f in AccessEvent._meta.concrete_fields if f.attname not in ("id", "at", "correlation_id")]
    return {name: getattr(event, name) for name in fields}


@pytest.mark.parametrize("record_ip", [False, True])
def test_page_view_event_equals_what_record_access_writes(client, contact, settings, rf, record_ip):
    settings.AUDIT_RECORD_CLIENT_IP = record_ip
    client.get(link_services.selfservice_link(contact), REMOTE_ADDR="10.1.2.3")
    viewed = AccessEvent.objects.get(action="selfservice_view")
    expected = record_access(
        None, "selfservice_view", contact, subject_ids=[contact.pk], request=rf.get("/", REMOTE_ADDR="10.1.2.3")
    )
    expected.refresh_from_db()
    assert _row(viewed) == _row(expected)
    assert viewed.correlation_id  # the request's id, as record_access stores it
    assert (viewed.remote_addr == "10.1.2.3") is record_ip
    subject = AccessSubject.objects.get(event=viewed)
    assert (subject.contact_id, subject.action, subject.at) == (contact.pk, "selfservice_view", viewed.at)


def test_refused_and_shredded_tokens_write_no_access_event(client, contact, make_contact):
    from privacy.crypto import shred_subject

    good = link_services.selfservice_link(contact)
    token = token_of(good)
    expired = link_services.selfservice_link(contact)
    nonce = signing.TimestampSigner(salt=link_services.TOKEN_SALT).unsign(token_of(expired)).split(".", 1)[1]
    SelfServiceLink.objects.filter(nonce=nonce).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    other = make_contact()
    revoked = link_services.selfservice_link(other)
    link_services.selfservice_revoke(contact=other)
    for path in (f"/c/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/", expired, revoked):
        assert client.get(path).status_code == 404
    assert not AccessEvent.objects.exists() and not AccessSubject.objects.exists()
    shred_subject(contact)
    assert client.get(good).status_code == 404
    assert not AccessEvent.objects.filter(action="selfservice_view").exists()


def test_page_body_does_not_carry_its_token(client, contact):
    path = link_services.selfservice_link(contact)
    body = client.get(path).content.decode()
    assert token_of(path) not in body  # not in the switcher, not in the forms' actions
    assert 'name="next"' not in body
    assert 'action="consent/"' in body and 'action="/i18n/setlang/"' in body


def test_language_switch_from_the_page_returns_to_it_in_english(client, contact):
    path = link_services.selfservice_link(contact)
    client.get(path)  # CSRF cookie, as a browser would have it
    response = client.post(
        reverse("set_language"), {"language": "en"}, HTTP_REFERER=f"http://testserver{path}", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 302 and response["Location"] == f"http://testserver{path}"
    assert "Your personal information and consents" in client.get(path).content.decode()


def test_language_switch_never_follows_a_foreign_referer(client):
    response = client.post(
        reverse("set_language"), {"language": "en"}, HTTP_REFERER="https://evil.example/x", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_page_does_not_query_the_visitors_roles(client, contact, officer1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer1)  # a member of staff opens a client's link in a signed-in browser
    path = link_services.selfservice_link(contact)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200 and officer1.username not in response.content.decode()
    assert not [q for q in queries if "clients_role" in q["sql"]]  # no context processor ran
