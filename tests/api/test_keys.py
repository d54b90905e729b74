"""API keys: hashed at rest, shown once, refused once expired, revoked or deactivated; rotation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations import services
from integrations.models import ApiKey

from .conftest import error

URL = "/api/v1/projects/"


def test_key_is_stored_as_a_digest_only(make_integration):
    integration = make_integration()
    key = ApiKey.objects.get(integration=integration)
    plaintext = integration.key
    assert plaintext.startswith(f"zsk_{key.prefix}_")
    assert len(plaintext.split("_", 2)[2]) == 43  # 256 bits, url-safe
    assert plaintext not in {key.prefix, key.secret_hash}
    assert key.secret_hash == ApiKey.digest(plaintext) and len(key.secret_hash) == 64
    assert key.matches(plaintext) and not key.matches(plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B"))


def test_valid_key_is_accepted(make_integration, api):
    assert api(make_integration()).get(URL).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["", "Api-Key", "Api-Key zsk_nope_nope", "Bearer something", "Api-Key zsk_0123456789ab_wrongsecret", "Api-Key a b"],
)
def test_missing_or_bad_key_answers_401_in_the_envelope(client, make_integration, header):
    make_integration()
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(URL, **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Api-Key")
    body = error(response)
    assert body["code"] in {"not_authenticated", "authentication_failed"}
    assert "密钥" in body["message"]


def test_a_tampered_secret_with_a_real_prefix_is_refused(make_integration, api):
    integration = make_integration()
    tampered = integration.key[:-4] + ("xxxx" if not integration.key.endswith("xxxx") else "yyyy")
    assert api().get(URL, key=tampered).status_code == 401


def test_expired_key_is_refused(make_integration, api):
    integration = make_integration()
    ApiKey.objects.filter(integration=integration).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api(integration).get(URL)
    assert response.status_code == 401
    assert error(response)["code"] == "authentication_failed"


def test_revoked_key_is_refused_at_once(make_integration, api, admin_user):
    integration = make_integration()
    client = api(integration)
    assert client.get(URL).status_code == 200
    services.api_key_revoke(key=ApiKey.objects.get(integration=integration), by=admin_user)
    assert client.get(URL).status_code == 401


def test_deactivated_integration_refuses_all_its_keys(make_integration, api):
    integration = make_integration()
    integration.is_active = False
    services.integration_save(integration=integration)
    assert not integration.service_user.is_active
    assert api(integration).get(URL).status_code == 401


def test_rotation_issues_a_working_key_and_lets_the_old_one_expire_after_the_grace(make_integration, api, settings):
    settings.API_KEY_ROTATION_GRACE_HOURS = 2
    integration = make_integration()
    old = ApiKey.objects.get(integration=integration)
    new, plaintext = services.api_key_rotate(key=old)
    old.refresh_from_db()
    assert old.replaced_by == new
    assert timezone.now() + timedelta(hours=1) < old.expires_at <= timezone.now() + timedelta(hours=2)
    assert api().get(URL, key=plaintext).status_code == 200
    assert api().get(URL, key=integration.key).status_code == 200  # still inside the grace period
    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    assert api().get(URL, key=integration.key).status_code == 401
    assert api().get(URL, key=plaintext).status_code == 200


def test_a_revoked_key_cannot_be_rotated(make_integration):
    from django.core.exceptions import ValidationError

    integration = make_integration()
    key = services.api_key_revoke(key=ApiKey.objects.get(integration=integration))
    with pytest.raises(ValidationError):
        services.api_key_rotate(key=key)


def test_service_user_cannot_sign_in_to_the_portal(make_integration):
    integration = make_integration()
    assert not integration.service_user.has_usable_password()
    assert not integration.service_user.is_staff


def test_a_portal_session_is_not_an_api_credential(client, officer1):
    client.force_login(officer1)
    response = client.get(URL)
    assert response.status_code == 401
    error(response)


def test_scope_not_granted_answers_403(make_integration, api):
    integration = make_integration(scopes=["enterprises:read"])
    response = api(integration).get(URL)
    assert response.status_code == 403
    assert "projects:read" in error(response)["message"]
