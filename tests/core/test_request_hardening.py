"""Request-level hardening: the client address behind trusted proxies, the correlation id, the size of
a body, no caching of signed-in pages, denied probes under every record prefix, and the 2FA check."""

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from audit.models import AccessEvent

pytestmark = pytest.mark.django_db


# --- The client address (TRUSTED_PROXY_COUNT) ----------------------------------------------------


def _selfservice_hits(client, n, **headers):
    return [client.get("/c/no-such-token/", **headers).status_code for _ in range(n)]


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, settings):
    """A client cannot pick a fresh rate-limit bucket (or audit address) by writing the header."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SELFSERVICE_RATE_LIMIT_PER_MINUTE = 3
    codes = [
        client.get("/c/no-such-token/", REMOTE_ADDR="10.5.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(4)
    ]
    assert codes == [404, 404, 404, 429]


def test_behind_one_proxy_each_client_has_its_own_bucket(client, settings):
    """Behind nginx every request comes from the proxy's address: the limit must count clients."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SELFSERVICE_RATE_LIMIT_PER_MINUTE = 3
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = _selfservice_hits(client, 4, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    other = _selfservice_hits(client, 1, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    spoofed = _selfservice_hits(client, 1, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", **proxy)
    assert first == [404, 404, 404, 429] and other == [404]
    assert spoofed == [429]  # what the client wrote to the left of the proxy's entry does not count


def test_two_proxies_take_the_second_entry_from_the_right(rf, settings):
    from zhaoshang.core.middleware import forwarded_client

    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5, 10.0.0.1"}
    assert forwarded_client(meta, 2) == "203.0.113.5"
    assert forwarded_client(meta, 1) == "10.0.0.1"
    assert forwarded_client(meta, 0) == "10.0.0.2"
    assert forwarded_client({**meta, "HTTP_X_FORWARDED_FOR": "junk"}, 1) == "10.0.0.2"
    assert forwarded_client({**meta, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, 2) == "10.0.0.2"  # too few hops
    assert forwarded_client({**meta, "HTTP_X_FORWARDED_FOR": "[2001:db8::1]:443"}, 1) == "2001:db8::1"


def test_the_audit_trail_and_the_lock_out_see_the_client_behind_the_proxy(client, officer1, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    settings.AUDIT_RECORD_CLIENT_IP = True
    client.force_login(officer1)
    client.get("/clients/no-such-record/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    assert AccessEvent.objects.get(action="denied").remote_addr == "198.51.100.9"
    client.logout()
    client.post(
        "/account/login/",
        {"auth-username": "officer1", "auth-password": "wrong", "login_view-current_step": "auth"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.10"


# --- Correlation id (X-Request-ID) -------------------------------------------------------------


def test_a_client_chosen_request_id_is_not_written_into_the_trail(client, officer1, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(officer1)
    response = client.get("/clients/no-such-record/", HTTP_X_REQUEST_ID="attacker-chosen-id-0001")
    assert response["X-Request-ID"] != "attacker-chosen-id-0001"
    assert AccessEvent.objects.get(action="denied").correlation_id == response["X-Request-ID"]


def test_the_trusted_proxys_request_id_is_kept(client, officer1, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(officer1)
    response = client.get("/clients/no-such-record/", HTTP_X_REQUEST_ID="nginx-request-id-0002")
    assert response["X-Request-ID"] == "nginx-request-id-0002"
    assert AccessEvent.objects.get(action="denied").correlation_id == "nginx-request-id-0002"


# --- Request size --------------------------------------------------------------------------------


def test_an_oversized_body_is_refused_before_it_is_parsed(client, settings, monkeypatch):
    from django.http import request as http_request

    settings.REQUEST_MAX_BODY_BYTES = 1024

    def no_parsing(self, *args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(http_request.HttpRequest, "_load_post_and_files", no_parsing)
    body = b"description=" + b"x" * 4096
    response = client.generic(
        "POST", reverse("complaints:public_new"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    body = response.content.decode().replace("\xa0", " ")  # filesizeformat keeps "1.0 KB" on one line
    assert "提交的内容过大" in body and "1.0 KB" in body


def test_a_body_within_the_limit_is_served(client, settings):
    settings.REQUEST_MAX_BODY_BYTES = 1024 * 1024
    assert client.post(reverse("complaints:public_new"), {"description": "短"}).status_code == 200


# --- No caching of signed-in pages -------------------------------------------------------------


def test_every_signed_in_page_answers_no_store(client, officer1, dpo, make_project):
    project = make_project(officer1)
    client.force_login(officer1)
    for url in (
        "/",
        "/clients/enterprises/",
        f"/clients/enterprises/{project.enterprise_id}/",
        "/clients/projects/",
        f"/clients/projects/{project.pk}/",
        "/clients/search/?q=x",
        "/complaints/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
    client.force_login(dpo)
    assert "no-store" in client.get("/privacy/requests/")["Cache-Control"]


def test_public_pages_keep_their_own_caching(client):
    assert "no-store" not in client.get(reverse("privacy:policy")).get("Cache-Control", "")


# --- Denied probes under every record prefix ---------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/privacy/contacts/999999/consent/", "/privacy/retention/runs/999999/", "/audit/rectifications/999999/"],
)
def test_out_of_scope_probes_under_privacy_and_audit_are_recorded_as_denied(client, officer1, path):
    client.force_login(officer1)
    assert client.get(path).status_code == 404
    assert AccessEvent.objects.get(action="denied").detail["path"] == path


def test_token_paths_are_never_recorded_as_denied(client, officer1):
    client.force_login(officer1)
    assert client.get("/c/some-token-value:abc:def/").status_code == 404
    assert client.get("/complaints/t/TS-1/some-secret-value-xyz/").status_code == 404
    assert not AccessEvent.objects.filter(action="denied").exists()


# --- System check ----------------------------------------------------------------------------------


def test_two_factor_off_outside_debug_is_a_warning(settings):
    settings.DEBUG = False
    settings.REQUIRE_2FA_FOR_PRIVILEGED = False
    assert "zhaoshang.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.REQUIRE_2FA_FOR_PRIVILEGED = True
    assert "zhaoshang.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}
    settings.DEBUG, settings.REQUIRE_2FA_FOR_PRIVILEGED = True, False
    assert "zhaoshang.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}
