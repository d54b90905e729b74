"""Self-service tokens: tampered, expired and revoked tokens get one neutral answer; guessing fails."""

import datetime
import secrets

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from privacy.models import SelfServiceLink
from privacy.selfservice import services as link_services

pytestmark = pytest.mark.django_db


def token_of(path):
    return path.split("/")[2]


@pytest.fixture
def path(contact):
    return link_services.selfservice_link(contact)


def test_valid_link_opens_the_contacts_page(client, contact, path):
    assert path.startswith("/c/") and path.endswith("/")
    # No personal data in the URL: the token carries only the contact id, a nonce and a signature.
    assert contact.mobile not in path and contact.email not in path and contact.name not in path
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert str(contact.mobile) not in response.content.decode()  # masked


def test_tampered_expired_and_revoked_tokens_are_refused_identically(client, contact, make_contact, path):
    token = token_of(path)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    other = make_contact()
    value = signing.TimestampSigner(salt=link_services.TOKEN_SALT).unsign(token)
    swapped = signing.TimestampSigner(salt="wrong-salt").sign(value)
    forged_contact = signing.TimestampSigner(salt=link_services.TOKEN_SALT).sign(f"{other.pk}.{value.split('.', 1)[1]}")

    expired_path = link_services.selfservice_link(contact)
    SelfServiceLink.objects.filter(
        nonce=signing.TimestampSigner(salt=link_services.TOKEN_SALT).unsign(token_of(expired_path)).split(".", 1)[1]
    ).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    revoked_path = link_services.selfservice_link(other)
    link_services.selfservice_revoke(contact=other)

    answers = []
    for bad in (tampered, swapped, forged_contact, token_of(expired_path), token_of(revoked_path), "x", "a" * 500):
        response = client.get(f"/c/{bad}/")
        answers.append((response.status_code, response.content, response["Cache-Control"]))
    assert len(set(answers)) == 1, "every refused token must get the same answer"
    assert answers[0][0] == 404 and answers[0][2] == "no-store"
    # and actions on a refused token change nothing
    response = client.post(f"/c/{tampered}/withdraw-all/")
    assert (response.status_code, response.content) == answers[0][:2]


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


def test_shredded_contact_gets_the_neutral_page(client, contact, path):
    from privacy.crypto import shred_subject

    shred_subject(contact)
    assert client.get(path).status_code == 404


def test_views_never_log_the_token(client, path, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        client.get(path)
        client.get(path[:-5] + "zzzz/")
        client.post(path + "consent/", {"purpose": "policy_push", "action": "grant"})
    assert token_of(path) not in caplog.text
    assert token_of(path)[:20] not in caplog.text


def test_csrf_is_enforced_and_its_refusal_does_not_log_the_token(path, caplog):
    import logging

    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.DEBUG):
        response = csrf_client.post(path + "withdraw-all/")
    assert response.status_code == 403
    assert "/c/[redacted]" in caplog.text  # the refusal was logged, without the token
    assert token_of(path) not in caplog.text
