"""The access and sign-in trails: record_access rules, denied 404s, sign-ins, 2FA changes."""

import pytest
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.test import RequestFactory

from audit.access import record_access
from audit.models import AccessEvent, AccessSubject

pytestmark = pytest.mark.django_db
A = AccessEvent.Action


def test_record_access_refuses_personal_detail_keys(officer1):
    with pytest.raises(ValueError):
        record_access(officer1, A.EXPORT, detail={"mobile": "13900001111"})


def test_record_access_keeps_subjects_and_ip_only_when_allowed(officer1, settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    settings.AUDIT_RECORD_CLIENT_IP = False
    event = record_access(officer1, A.EXPORT, row_count=2, subject_ids=[5, 6], request=request)
    assert event.remote_addr is None
    assert sorted(event.subjects.values_list("contact_id", flat=True)) == [5, 6]
    settings.AUDIT_RECORD_CLIENT_IP = True
    assert record_access(officer1, A.VIEW, request=request).remote_addr == "10.1.2.3"


def test_out_of_scope_404_under_clients_is_a_denied_event(client_for, officer1):
    response = client_for(officer1).get("/clients/no-such-record-999999/")
    assert response.status_code == 404
    event = AccessEvent.objects.get(action=A.DENIED)
    assert event.user == officer1 and event.detail["path"].startswith("/clients/")


def test_404_elsewhere_or_anonymous_is_not_recorded(client_for, officer1):
    client_for(officer1).get("/no-such-page/")
    client_for(None).get("/clients/no-such-record-999999/")
    assert not AccessEvent.objects.filter(action=A.DENIED).exists()


def test_sign_in_success_and_failure_are_recorded_without_the_typed_username(officer1):
    request = RequestFactory().post("/account/login/")
    user_logged_in.send(sender=type(officer1), request=request, user=officer1)
    user_login_failed.send(sender=__name__, credentials={"username": "officer1"}, request=request)
    user_login_failed.send(sender=__name__, credentials={"username": "MyS3cretPassw0rd"}, request=request)
    assert AccessEvent.objects.filter(action=A.SIGN_IN, user=officer1).count() == 1
    failures = AccessEvent.objects.filter(action=A.SIGN_IN_FAILED).order_by("id")
    assert [(e.user_id, e.detail["known_account"]) for e in failures] == [(officer1.pk, True), (None, False)]
    assert "MyS3cretPassw0rd" not in str(list(AccessEvent.objects.values()))


def test_real_failed_sign_in_through_the_login_form_is_recorded(client, officer1):
    client.post(
        "/account/login/",
        {"auth-username": "officer1", "auth-password": "wrong-password", "login_view-current_step": "auth"},
    )
    assert AccessEvent.objects.filter(action=A.SIGN_IN_FAILED, user=officer1).exists()


def test_lock_out_is_recorded(officer1):
    from axes.signals import user_locked_out

    user_locked_out.send(sender="axes", request=None, username="officer1", ip_address="10.0.0.1")
    assert AccessEvent.objects.filter(action=A.LOCKED_OUT, user=officer1).exists()


def test_two_factor_device_changes_are_recorded_but_token_checks_are_not(officer1):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=officer1, name="phone", confirmed=False)
    device.confirmed = True
    device.save()
    device.last_t = 12345
    device.save()  # what a token check does
    device.delete()
    changes = list(AccessEvent.objects.filter(action=A.TWO_FACTOR, user=officer1).order_by("id"))
    assert [e.detail["change"] for e in changes] == ["added", "confirmed", "removed"]


def test_sign_in_trail_visible_to_auditor(client_for, auditor, officer1):
    request = RequestFactory().post("/account/login/")
    user_logged_in.send(sender=type(officer1), request=request, user=officer1)
    response = client_for(auditor).get("/audit/signins/")
    assert any(e.user_id == officer1.pk and e.action == A.SIGN_IN for e in response.context["rows"])


@pytest.mark.django_db
def test_subject_rows_carry_the_events_action_and_time(officer1):
    event = record_access(officer1, "export", purpose="名单", row_count=2, subject_ids=[11, 12])
    rows = list(AccessSubject.objects.filter(event=event).values_list("contact_id", "action", "at"))
    assert rows == [(11, "export", event.at), (12, "export", event.at)]
