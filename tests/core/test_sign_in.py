"""Sign-in: lock-out after repeated failures, required two-factor for privileged roles."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

LOGIN = "/account/login/"


def _attempt(client, username, password):
    return client.post(
        LOGIN,
        {"auth-username": username, "auth-password": password, "login_view-current_step": "auth"},
        REMOTE_ADDR="10.9.8.7",
    )


def test_login_page_is_chinese(client, db):
    body = client.get(LOGIN).content.decode()
    assert "用户名" in body and "密码" in body and "登录" in body


def test_correct_password_signs_in(client, officer1):
    response = _attempt(client, "officer1", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_five_failures_lock_the_account_with_a_clear_message(client, officer1):
    for _ in range(4):
        response = _attempt(client, "officer1", "wrong-password")
        assert response.status_code == 200
        assert "正确的用户名和密码" in response.content.decode()
    locked = _attempt(client, "officer1", "wrong-password")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # Even the right password is refused while locked.
    still_locked = _attempt(client, "officer1", PASSWORD)
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_visible_to_admins(client, officer1, admin_user):
    for _ in range(5):
        _attempt(client, "officer1", "wrong-password")
    client.force_login(admin_user)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert "officer1" in response.content.decode()


@pytest.mark.parametrize("username", ["dpo", "auditor", "admin", "head1", "head2"])
def test_privileged_roles_must_set_up_two_factor_when_required(client, org, settings, username):
    settings.REQUIRE_2FA_FOR_PRIVILEGED = True
    client.force_login(org[username])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:setup")


@pytest.mark.parametrize("username", ["officer1", "handler"])
def test_roles_without_clear_value_permissions_are_not_forced_into_two_factor(client, org, settings, username):
    settings.REQUIRE_2FA_FOR_PRIVILEGED = True
    client.force_login(org[username])
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("perm", ["export_clear_values", "reveal_sensitive_contact"])
def test_two_factor_follows_the_permission_not_the_role_name(client, officer1, settings, perm):
    """An officer given a clear-value or sensitive-field permission directly must use 2FA too."""
    from django.contrib.auth.models import Permission

    settings.REQUIRE_2FA_FOR_PRIVILEGED = True
    officer1.user_permissions.add(Permission.objects.get(content_type__app_label="clients", codename=perm))
    client.force_login(officer1)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("two_factor:setup")


def test_privileged_user_with_verified_device_gets_through(client, dpo, settings):
    settings.REQUIRE_2FA_FOR_PRIVILEGED = True
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    client.force_login(dpo)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get("/").status_code == 200


def test_two_factor_off_lets_privileged_roles_in(client, dpo, settings):
    settings.REQUIRE_2FA_FOR_PRIVILEGED = False
    client.force_login(dpo)
    assert client.get("/").status_code == 200


def test_session_expires_when_idle(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
