"""Bad input gets a clear answer, never a 500: every GET URL, for several roles, with garbage queries.

The walk reuses the URL-configuration walker of the login test, so a new view is covered at once.
"""

import pytest

from tests.core.test_urls_require_login import all_urls

GARBAGE = {
    "cursor": "abc",
    "page": "-1",
    "q": "%'\"<script>_\\",
    "stage": "no-such-stage",
    "user": "x",
    "action": "zzz",
    "start": "2026-13-45",
    "end": "not-a-date",
    "object_id": "'; DROP TABLE x; --",
    "content_type": "999999",
    "category": "?",
    "status": "??",
}

GET_URLS = [(path, name) for path, name, _cb in all_urls() if not (name or "").startswith("admin:")]


@pytest.mark.parametrize("username", ["officer1", "head1", "dpo", "handler", "auditor", "admin"])
def test_no_get_url_answers_500_to_garbage(client, org, username):
    client.force_login(org[username])
    failures = []
    for path, name in GET_URLS:
        # /healthz answers 503 by design while background work is degraded (no worker heartbeat in
        # tests); tests/core/test_background_health.py covers it.
        if name in {"logout", "set_language", "core:healthz"}:
            continue
        response = client.get("/" + path, GARBAGE)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
    assert not failures


def test_nul_characters_in_a_query_are_refused_with_400_not_500(client, officer1):
    client.force_login(officer1)
    response = client.get("/clients/enterprises/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "无法处理的字符" in response.content.decode()


@pytest.mark.parametrize("username", ["officer1", "head1", "dpo", "handler", "auditor"])
def test_no_url_answers_500_to_a_garbage_post(client, org, username):
    client.force_login(org[username])
    failures = []
    for path, name in GET_URLS:
        # /healthz answers 503 by design while background work is degraded (no worker heartbeat in
        # tests); tests/core/test_background_health.py covers it.
        if name in {"logout", "set_language", "core:healthz"}:
            continue
        response = client.post("/" + path, GARBAGE)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
    assert not failures


def test_trail_shows_a_change_to_a_field_named_items(client, auditor):
    """A changed field called "items" must not be taken for the dict method in the template."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(auditor)),
        object_pk=str(auditor.pk),
        object_repr="x",
        action=LogEntry.Action.UPDATE,
        changes={"items": ["1", "2"], "title": ["a", "b"]},
    )
    client.force_login(auditor)
    response = client.get("/audit/")
    assert response.status_code == 200
    assert "<code>items</code>" in response.content.decode()
