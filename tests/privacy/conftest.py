"""Consent fixtures: an enterprise of officer1 with a contact, and self-service helpers."""

import itertools

import pytest
from django.core.cache import cache

from clients import services as client_services
from clients.validators import make_credit_code

_seq = itertools.count(500)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def make_contact(org):
    def _make(owner=None, **fields):
        owner = owner or org["officer1"]
        n = next(_seq)
        enterprise = client_services.enterprise_create(
            user=owner,
            name=f"同意测试企业{n}有限公司",
            credit_code=make_credit_code(f"91330100MB{n:07d}"),
            industry="C",
        )
        fields.setdefault("name", "张三丰")
        fields.setdefault("mobile", f"1380013{n:04d}")
        fields.setdefault("email", f"person{n}@example.cn")
        return client_services.contact_create(user=owner, enterprise=enterprise, **fields)

    return _make


@pytest.fixture
def contact(make_contact):
    return make_contact()


def open_link(client, link, **extra):
    """Pass a self-service link's door as a browser does: the token becomes the door cookie and the
    answer is a redirect to the page without it. Returns that page's path ("/c/")."""
    response = client.get(link, **extra)
    assert response.status_code == 302, response.status_code
    assert "/c/" in response["Location"] and link.split("/")[2] not in response["Location"]
    return response["Location"]


@pytest.fixture
def opened(client, contact):
    """The self-service page of `contact`, opened through its link's door by `client`: "/c/"."""
    from privacy.selfservice import services as link_services

    return open_link(client, link_services.selfservice_link(contact))
