"""One error envelope in Chinese for every refusal; keyset pages with a constant number of queries;
the per-key rate limit, and what happens when Redis is down."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Project

from .conftest import error


@pytest.fixture
def dpo_api(make_integration, api):
    return api(make_integration("privacy_officer"))


@pytest.mark.parametrize(
    "method,path,kwargs,status,code",
    [
        ("get", "/api/v1/nowhere/", {}, 404, "not_found"),
        ("get", "/api/v1/projects/99999999999999999999999/", {}, 404, "not_found"),
        ("get", "/api/v1/projects/123456789/", {}, 404, "not_found"),
        ("delete", "/api/v1/projects/", {}, 405, "method_not_allowed"),
        ("get", "/api/v1/projects/", {"data": {"cursor": "garbage"}}, 400, "invalid"),
        ("get", "/api/v1/projects/", {"data": {"page_size": "0"}}, 400, "invalid"),
        ("get", "/api/v1/projects/", {"data": {"q": "a\x00b"}}, 400, "invalid"),
        ("get", "/api/v1/projects/", {"HTTP_ACCEPT": "text/html"}, 406, "not_acceptable"),
    ],
)
def test_refusals_share_the_envelope_in_chinese(dpo_api, method, path, kwargs, status, code):
    client = dpo_api.client
    kwargs = dict(kwargs)
    data = kwargs.pop("data", {})
    response = getattr(client, method)(path, data, HTTP_AUTHORIZATION=f"Api-Key {dpo_api.key}", **kwargs)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = error(response)
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body


def test_malformed_json_and_wrong_content_type_are_400_and_415(make_integration, api):
    officer_api = api(make_integration("officer"))
    client = officer_api.client
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {officer_api.key}"}
    response = client.post("/api/v1/enterprises/", "{not json", content_type="application/json", **headers)
    assert response.status_code == 400 and error(response)["code"] == "parse_error"
    response = client.post(
        "/api/v1/enterprises/", "name=x", content_type="application/x-www-form-urlencoded", **headers
    )
    assert response.status_code == 415 and error(response)["code"] == "unsupported_media_type"
    response = client.post("/api/v1/enterprises/", "[1, 2]", content_type="application/json", **headers)
    assert response.status_code == 400 and error(response)["code"] == "invalid"


def test_a_tampered_cursor_with_an_offset_is_refused(dpo_api):
    import base64

    cursor = base64.b64encode(b"o=500&p=10").decode()
    response = dpo_api.get("/api/v1/projects/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in error(response)["fields"]


def _pages(client, url, size):
    """Walk every page; returns (ids, queries of each page)."""
    ids, counts, next_url = [], [], f"{url}?page_size={size}"
    while next_url:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(next_url)
        assert response.status_code == 200
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        counts.append(len(ctx.captured_queries))
        assert not any(" OFFSET " in q["sql"] for q in ctx.captured_queries)
        next_url = body["next"]
    return ids, counts


def test_project_pages_cost_the_same_queries_at_any_depth(dpo_api, officer1, make_project):
    for _ in range(7):
        make_project(officer1)
    ids, counts = _pages(dpo_api, "/api/v1/projects/", 2)
    assert ids == sorted(Project.objects.values_list("pk", flat=True), reverse=True)
    assert len(counts) == 4
    assert len(set(counts[1:])) == 1, counts  # page 2, 3 and 4 alike (page 1 may touch last_used_at)
    assert counts[-1] <= 8, counts


def test_previous_links_walk_back(dpo_api, officer1, make_project):
    for _ in range(5):
        make_project(officer1)
    first = dpo_api.get("/api/v1/projects/", {"page_size": 2}).json()
    second = dpo_api.get(first["next"]).json()
    back = dpo_api.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def test_rate_limit_per_key_answers_429_with_retry_after(make_integration, api):
    integration = make_integration(rate_limit_per_minute=3)
    other = make_integration(rate_limit_per_minute=3)
    client = api(integration)
    assert [client.get("/api/v1/counts/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/counts/")
    assert response.status_code == 429
    assert error(response)["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert api(other).get("/api/v1/counts/").status_code == 200  # the limit is per key


def test_rate_limit_degrades_open_when_redis_is_down(make_integration, api, monkeypatch, caplog):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    integration = make_integration(rate_limit_per_minute=1)
    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "incr", down)
    with caplog.at_level(logging.WARNING, logger="integrations.throttling"):
        statuses = [api(integration).get("/api/v1/counts/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert "rate limit not enforced" in caplog.text
    assert integration.key not in caplog.text
