"""API fixtures: integrations whose service users hold a persona's role and department, and a client
that calls the API with their key."""

import itertools

import pytest

from tests.clients.conftest import credit_code, make_enterprise, make_project  # noqa: F401 - shared fixtures

_seq = itertools.count(1)

ALL_SCOPES = [
    "enterprises:read",
    "enterprises:write",
    "projects:read",
    "projects:write",
    "followups:read",
    "followups:write",
    "consent:read",
    "contacts:reveal",
    "complaints:intake",
    "counts:read",
]


@pytest.fixture
def make_integration(org):
    """`make_integration(role_code, department_code, scopes=..., **fields)` -> Integration with `.key`."""
    from clients.models import Department, Role
    from integrations import services
    from integrations.models import Integration

    def _make(role_code="officer", department_code="zs1", *, scopes=None, **fields):
        n = next(_seq)
        integration = Integration(
            name=fields.pop("name", f"测试接入系统{n}"),
            code=fields.pop("code", f"test-{n}"),
            role=Role.objects.get(code=role_code),
            department=Department.objects.get(code=department_code) if department_code else None,
            scopes=ALL_SCOPES if scopes is None else scopes,
            **fields,
        )
        services.integration_save(integration=integration)
        _key, integration.key = services.api_key_issue(integration=integration)
        return integration

    return _make


class ApiClient:
    """Django's test client, speaking JSON with an API key."""

    def __init__(self, client, key=None):
        self.client = client
        self.key = key

    def _headers(self, key):
        key = self.key if key is None else key
        return {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}

    def get(self, path, params=None, *, key=None, **extra):
        return self.client.get(path, params or {}, **self._headers(key), **extra)

    def post(self, path, data=None, *, key=None, **extra):
        return self.client.post(path, data or {}, content_type="application/json", **self._headers(key), **extra)


@pytest.fixture
def api(client):
    """`api(integration)` -> an ApiClient using its key (`api(None)`: no key at all)."""

    def _api(integration=None):
        client.logout()
        return ApiClient(client, getattr(integration, "key", None) or "")

    return _api


def error(response):
    """The error envelope of a response, checked for shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]
