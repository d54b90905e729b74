"""Failed API key attempts are counted per client address: guessing keys is slowed to a few a window."""

import logging
import re

import pytest

from .conftest import error

pytestmark = pytest.mark.django_db

URL = "/api/v1/counts/"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def limit(settings):
    settings.API_KEY_FAILURE_LIMIT = 3
    settings.API_KEY_FAILURE_WINDOW = 600
    return 3


def _wrong(client, n, ip="203.0.113.9", key="zsk_abcdef12_wrongsecret"):
    return [client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {key}", REMOTE_ADDR=ip).status_code for _ in range(n)]


def test_after_the_limit_every_key_from_that_address_answers_429_in_chinese(client, make_integration, limit):
    integration = make_integration()
    assert _wrong(client, limit) == [401] * limit
    response = client.get(URL, HTTP_AUTHORIZATION="Api-Key zsk_abcdef12_other", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    body = error(response)
    assert body["code"] == "throttled"
    assert "失败次数过多" in body["message"] and CJK.search(body["message"])
    assert 1 <= int(response["Retry-After"]) <= 600
    # Even the right key is not checked from that address until the window ends (no oracle for guesses).
    right = client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {integration.key}", REMOTE_ADDR="203.0.113.9")
    assert right.status_code == 429


def test_other_addresses_and_good_keys_are_not_affected(client, make_integration, limit):
    integration = make_integration()
    _wrong(client, limit + 2)
    ok = client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {integration.key}", REMOTE_ADDR="198.51.100.20")
    assert ok.status_code == 200
    assert _wrong(client, 1, ip="198.51.100.20") == [401]


def test_successful_calls_do_not_count(client, make_integration, limit):
    integration = make_integration()
    statuses = [
        client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {integration.key}", REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(limit + 3)
    ]
    assert statuses == [200] * (limit + 3)
    assert _wrong(client, 1) == [401]


def test_malformed_headers_count_as_failures(client, limit):
    statuses = [
        client.get(URL, HTTP_AUTHORIZATION="Api-Key two parts", REMOTE_ADDR="203.0.113.9").status_code
        for _ in range(limit + 1)
    ]
    assert statuses == [401] * limit + [429]


def test_calls_without_a_key_are_not_counted(client, limit):
    statuses = [client.get(URL, REMOTE_ADDR="203.0.113.9").status_code for _ in range(limit + 2)]
    assert statuses == [401] * (limit + 2)


def test_the_cache_key_holds_no_address(client, limit, monkeypatch):
    from django.core.cache import cache

    seen = []
    real_add = cache.add

    def spy_add(key, *args, **kwargs):
        seen.append(key)
        return real_add(key, *args, **kwargs)

    monkeypatch.setattr(cache, "add", spy_add)
    _wrong(client, 1)
    assert seen and not any("203.0.113.9" in key for key in seen)


def test_a_cache_outage_lets_calls_through(client, make_integration, limit, monkeypatch, caplog):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    for name in ("get", "add", "incr"):
        monkeypatch.setattr(cache, name, down)
    integration = make_integration()
    with caplog.at_level(logging.WARNING):
        assert _wrong(client, limit + 2) == [401] * (limit + 2)
        ok = client.get(URL, HTTP_AUTHORIZATION=f"Api-Key {integration.key}", REMOTE_ADDR="203.0.113.9")
    assert ok.status_code == 200
    assert "not enforced" in caplog.text or "not counted" in caplog.text
    assert "203.0.113.9" not in caplog.text
