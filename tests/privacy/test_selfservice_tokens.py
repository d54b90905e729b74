"""Self-service tokens: tampered, expired and revoked tokens get one neutral answer; guessing fails;
the link is a door that swaps its token for a cookie."""

import datetime
import secrets

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from privacy.models import SelfServiceLink
from privacy.selfservice import door
from privacy.selfservice import services as link_services
from tests.privacy.conftest import open_link

pytestmark = pytest.mark.django_db


def token_of(path):
    return path.split("/")[2]


@pytest.fixture
def path(contact):
    return link_services.selfservice_link(contact)


def test_valid_link_opens_the_contacts_page(client, contact, path):
    assert path.startswith("/c/") and path.endswith("/")
    # No personal data in the URL: the token carries only a nonce and a signature.
    assert contact.mobile not in path and contact.email not in path and contact.name not in path
    response = client.get(path, follow=True)
    assert response.redirect_chain == [("/c/", 302)]
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert str(contact.mobile) not in response.content.decode()  # masked


def test_the_token_does_not_carry_the_contact_id(contact, path):
    value = signing.TimestampSigner(salt=link_services.TOKEN_SALT).unsign(token_of(path))
    assert str(contact.pk) not in value.split(".") and "." not in value


def test_a_link_issued_with_the_contact_id_still_opens(client, contact, path):
    nonce = link_services.token_nonce(token_of(path))
    legacy = signing.TimestampSigner(salt=link_services.TOKEN_SALT).sign(f"{contact.pk}.{nonce}")
    assert link_services.selfservice_resolve(legacy) == contact
    assert client.get(f"/c/{legacy}/", follow=True).status_code == 200


def test_the_link_is_a_door_to_a_cookie_and_a_url_without_the_token(client, contact, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/c/"
    assert response["Referrer-Policy"] == "no-referrer" and response["Cache-Control"] == "no-store"
    cookie = response.cookies[door.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/c/"
    assert 0 < int(cookie["max-age"]) <= 60 * 60
    assert token_of(path) not in cookie.value  # not the token: a value of its own, short-lived
    page = client.get("/c/")
    assert page.status_code == 200 and token_of(path) not in page.content.decode()


def test_without_the_cookie_the_pages_answer_the_neutral_page(client, contact, path):
    from django.test import Client

    open_link(client, path)
    assert client.get("/c/").status_code == 200
    stranger = Client()
    assert stranger.get("/c/").status_code == 404
    stranger.cookies[door.COOKIE_NAME] = client.cookies[door.COOKIE_NAME].value[:-2] + "xx"  # forged
    assert stranger.get("/c/").status_code == 404


def test_the_cookie_closes_with_its_link_and_after_its_minutes(client, contact, path, settings):
    open_link(client, path)
    link_services.selfservice_revoke(contact=contact)
    response = client.get("/c/")
    assert response.status_code == 404 and response.cookies[door.COOKIE_NAME].value == ""  # dropped
    open_link(client, link_services.selfservice_link(contact))
    settings.SELFSERVICE_SESSION_MINUTES = 0
    assert client.get("/c/").status_code == 404


def test_a_door_can_lead_to_one_page_of_the_service(client, contact, path):
    response = client.get(path + "complaint/")
    assert response.status_code == 302 and response["Location"] == "/c/complaint/"
    assert client.get("/c/complaint/").status_code == 200
    assert client.get(path + "no-such-page/")["Location"] == "/c/"


def test_tampered_expired_and_revoked_tokens_are_refused_identically(client, contact, make_contact, path):
    token = token_of(path)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    other = make_contact()
    value = signing.TimestampSigner(salt=link_services.TOKEN_SALT).unsign(token)
    swapped = signing.TimestampSigner(salt="wrong-salt").sign(value)
    unknown_nonce = signing.TimestampSigner(salt=link_services.TOKEN_SALT).sign(value[::-1])

    expired_path = link_services.selfservice_link(contact)
    SelfServiceLink.objects.filter(nonce=link_services.token_nonce(token_of(expired_path))).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    revoked_path = link_services.selfservice_link(other)
    link_services.selfservice_revoke(contact=other)

    answers = []
    for bad in (tampered, swapped, unknown_nonce, token_of(expired_path), token_of(revoked_path), "x", "a" * 500):
        response = client.get(f"/c/{bad}/")
        answers.append((response.status_code, response.content, response["Cache-Control"]))
        assert door.COOKIE_NAME not in response.cookies
    assert len(set(answers)) == 1, "every refused token must get the same answer"
    assert answers[0][0] == 404 and answers[0][2] == "no-store"
    # and actions without an opened door change nothing
    response = client.post("/c/withdraw-all/")
    assert (response.status_code, response.content) == answers[0][:2]


def test_bad_signature_and_revoked_or_expired_token_take_the_same_path(client, contact, make_contact):
    """No timing: the same statements, in the same order, for a forged token as for a real one
    whose link is expired or revoked (the ~25 ms a real token used to cost more)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    revoked = link_services.selfservice_link(contact)
    link_services.selfservice_revoke(contact=contact)
    expired = link_services.selfservice_link(contact)
    SelfServiceLink.objects.filter(nonce=link_services.token_nonce(token_of(expired))).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    token = token_of(revoked)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    old = signing.TimestampSigner(salt=link_services.TOKEN_SALT).sign("x" * 22)
    shapes = []
    for path in (revoked, expired, f"/c/{forged}/", f"/c/{old}x/", "/c/x/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 404
        shapes.append([q["sql"].split("WHERE")[0] for q in queries])
    assert shapes[0] and all(shape == shapes[0] for shape in shapes), shapes


def test_token_older_than_max_age_is_refused(client, contact, path):
    with override_settings(SELFSERVICE_TOKEN_MAX_AGE_DAYS=0):
        assert link_services.selfservice_resolve(token_of(path)) is None
    assert link_services.selfservice_resolve(token_of(path)) == contact


def test_revoking_rotates_the_nonce_and_new_link_works(client, contact, path):
    link_services.selfservice_revoke(contact=contact)
    assert link_services.selfservice_resolve(token_of(path)) is None
    assert link_services.selfservice_resolve(token_of(link_services.selfservice_link(contact))) == contact


def test_ten_thousand_random_tokens_none_accepted(contact, path):
    signer_value = signing.TimestampSigner(salt=link_services.TOKEN_SALT).unsign(token_of(path))
    prefix = token_of(path).rsplit(":", 1)[0]
    accepted = 0
    for i in range(10_000):
        if i % 2:
            guess = secrets.token_urlsafe(40)
        else:  # a right-looking value with a random signature
            guess = f"{prefix}:{secrets.token_urlsafe(32)[:43]}"
        accepted += link_services.selfservice_resolve(guess) is not None
    assert accepted == 0
    assert signer_value  # the genuine token still resolves
    assert link_services.selfservice_resolve(token_of(path)) == contact


@override_settings(SELFSERVICE_RATE_LIMIT_PER_MINUTE=5)
def test_rate_limit_answers_429_with_clear_message(client, path):
    codes = [client.get(f"/c/bad{i}/").status_code for i in range(5)]
    assert codes == [404] * 5
    response = client.get(path)  # even a valid token, once the IP is over the limit
    assert response.status_code == 429
    assert "访问过于频繁" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert client.get("/c/").status_code == 429  # the pages behind the door count too


def test_shredded_contact_gets_the_neutral_page(client, contact, path):
    from privacy.crypto import shred_subject

    open_link(client, path)
    shred_subject(contact)
    assert client.get(path).status_code == 404
    assert client.get("/c/").status_code == 404


def test_views_never_log_the_token(client, path, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        client.get(path, follow=True)
        client.get(path[:-5] + "zzzz/")
        client.post("/c/consent/", {"purpose": "policy_push", "action": "grant"})
    assert token_of(path) not in caplog.text
    assert token_of(path)[:20] not in caplog.text


def test_csrf_is_enforced_and_its_refusal_does_not_log_the_token(path, caplog):
    import logging

    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    open_link(csrf_client, path)
    with caplog.at_level(logging.DEBUG):
        response = csrf_client.post("/c/withdraw-all/")
    assert response.status_code == 403
    assert "CSRF" in caplog.text or "Forbidden" in caplog.text
    assert token_of(path) not in caplog.text
