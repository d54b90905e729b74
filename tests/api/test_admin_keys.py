"""The admin console issues, rotates and revokes keys; a key is shown once and never again."""

import pytest

from integrations.models import ApiKey, Integration

from .conftest import ALL_SCOPES


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_admin_creates_an_integration_with_its_service_user(admin_client):
    from clients.models import Department, Role

    response = admin_client.post(
        "/admin/integrations/integration/add/",
        {
            "name": "12345 市民服务热线",
            "code": "hotline",
            "contact": "市热线中心技术组",
            "description": "投诉转办",
            "scopes": ["complaints:intake"],
            "role": Role.objects.get(code="complaint_handler").pk,
            "department": Department.objects.get(code="yshj").pk,
            "rate_limit_per_minute": 60,
            "webhook_url": "https://hotline.example.cn/callback",
            "is_active": "on",
            "keys-TOTAL_FORMS": "0",
            "keys-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    integration = Integration.objects.get(code="hotline")
    user = integration.service_user
    assert user.username == "api-hotline"
    assert list(user.groups.values_list("role__code", flat=True)) == ["complaint_handler"]
    assert user.profile.department.code == "yshj"
    assert integration.contact == "市热线中心技术组"


def test_admin_refuses_a_code_whose_account_name_is_taken(admin_client, org):
    from django.contrib.auth import get_user_model

    from clients.models import Role

    get_user_model().objects.create_user("api-taken")
    response = admin_client.post(
        "/admin/integrations/integration/add/",
        {
            "name": "X",
            "code": "taken",
            "scopes": ALL_SCOPES,
            "role": Role.objects.get(code="officer").pk,
            "rate_limit_per_minute": 60,
            "keys-TOTAL_FORMS": "0",
            "keys-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "api-taken" in response.content.decode()
    assert not Integration.objects.filter(code="taken").exists()


def test_issued_key_is_shown_once_and_only_its_digest_is_kept(admin_client, make_integration):
    integration = make_integration()
    url = f"/admin/integrations/integration/{integration.pk}/keys/new/"
    assert admin_client.get(url).status_code == 200  # the form first, nothing issued
    assert ApiKey.objects.filter(integration=integration).count() == 1
    response = admin_client.post(url, {"label": "生产环境", "days": 90})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.filter(integration=integration, label="生产环境").get()
    page = response.content.decode()
    start = page.index('id="api-key"')
    plaintext = page[page.index(">", start) + 1 : page.index("</code>", start)]
    assert key.matches(plaintext)
    change_page = admin_client.get(f"/admin/integrations/integration/{integration.pk}/change/").content.decode()
    assert plaintext not in change_page
    assert str(key) in change_page  # the prefix only


def test_issuing_a_key_refuses_a_validity_beyond_the_maximum(admin_client, make_integration, settings):
    integration = make_integration()
    response = admin_client.post(
        f"/admin/integrations/integration/{integration.pk}/keys/new/", {"days": settings.API_KEY_MAX_DAYS + 1}
    )
    assert response.status_code == 200
    assert ApiKey.objects.filter(integration=integration).count() == 1


def test_revoke_asks_first_then_refuses_the_key(admin_client, make_integration):
    integration = make_integration()
    key = ApiKey.objects.get(integration=integration)
    url = f"/admin/integrations/integration/keys/{key.pk}/revoke/"
    response = admin_client.get(url)
    assert "确认吊销" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
    assert admin_client.post(url).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_rotate_shows_the_new_key_once(admin_client, make_integration):
    integration = make_integration()
    key = ApiKey.objects.get(integration=integration)
    response = admin_client.post(f"/admin/integrations/integration/keys/{key.pk}/rotate/")
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.replaced_by is not None
    assert key.replaced_by.prefix in response.content.decode()


def test_webhook_secret_is_encrypted_at_rest_and_shown_once(admin_client, make_integration):
    from django.db import connection

    integration = make_integration()
    response = admin_client.post(f"/admin/integrations/integration/{integration.pk}/webhook-secret/")
    page = response.content.decode()
    start = page.index('id="webhook-secret"')
    secret = page[page.index(">", start) + 1 : page.index("</code>", start)]
    assert Integration.objects.get(pk=integration.pk).webhook_secret == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM integrations_integration WHERE id = %s", [integration.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("zs1$")


@pytest.mark.parametrize("username", ["officer1", "head1", "dpo"])
def test_staff_without_admin_rights_cannot_manage_keys(client, org, make_integration, username):
    integration = make_integration()
    client.force_login(org[username])
    response = client.post(f"/admin/integrations/integration/{integration.pk}/keys/new/", {"days": 30})
    assert response.status_code in (302, 403)
    assert ApiKey.objects.filter(integration=integration).count() == 1
