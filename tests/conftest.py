"""Shared fixtures: the named personas every test module uses.

Personas come from the same demo organisation `seed_demo` builds (clients.demo), so tests and the
demo speak of the same people: officer1 (招商一局), officer2 (招商二局, another department),
officer3 (驻上海招商局, below 招商一局), head1 (head of 招商一局, officer1's and officer3's
supervisor), head2, dpo (privacy officer), handler (complaint handler), auditor, admin, leader
(分管领导, every department) — plus
`outsider`, a signed-in user with no role at all.
"""

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Snapshot the freshly migrated test database for `serialized_rollback`.

    Transactional tests flush every table when they end, including the rows data migrations
    created (roles, purposes, policy, calendar, categories, retention rules); tests marked
    `django_db(transaction=True, serialized_rollback=True)` get them back from this snapshot.
    pytest-django only takes it when it sees such a test, and browser tests get a fresh
    connection object (Playwright's sync API runs an event loop, and Django's connections are
    context-local), so the snapshot is put on the connection *class*, where every connection
    object of this database finds it.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            snapshot = getattr(connection, "_test_serialized_contents", None)
            if not snapshot:
                snapshot = connection.creation.serialize_db_to_string()
            type(connection)._test_serialized_contents = snapshot


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters (per IP, per minute) and other
    cached state must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def org(db):
    from clients.demo import seed_organisation

    seed_organisation(password=PASSWORD)
    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    users["outsider"] = User.objects.create_user("outsider", password=PASSWORD)
    return users


@pytest.fixture
def officer1(org):
    return org["officer1"]


@pytest.fixture
def officer2(org):
    return org["officer2"]


@pytest.fixture
def officer3(org):
    return org["officer3"]


@pytest.fixture
def head1(org):
    return org["head1"]


@pytest.fixture
def dpo(org):
    return org["dpo"]


@pytest.fixture
def handler(org):
    return org["handler"]


@pytest.fixture
def auditor(org):
    return org["auditor"]


@pytest.fixture
def admin_user(org):
    return org["admin"]


@pytest.fixture
def leader(org):
    return org["leader"]


@pytest.fixture
def outsider(org):
    return org["outsider"]


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns the test client signed in as that user (None: anonymous)."""

    def _client_for(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _client_for


REFUSED_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused


def _point_celery_at(app, url):
    from kombu import pools

    app.conf.broker_url = url
    pools.reset()  # kombu's process-wide pools would hand a later test a pool closed here
    if app._pool is not None:  # connections already made to the previous broker
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_inline():
    """Tasks run inline in the caller, as without Redis: for tests of what a worker does."""
    from zhaoshang.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def redis_down(settings):
    """Redis is down: the cache and the Celery broker point at a port that refuses connections.

    (Never stop the shared Redis server itself: other runs use it.)
    """
    from zhaoshang.celery import app

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REFUSED_REDIS_URL}
    }
    saved, eager = app.conf.broker_url, app.conf.task_always_eager
    app.conf.task_always_eager = False
    _point_celery_at(app, REFUSED_REDIS_URL)
    yield REFUSED_REDIS_URL
    app.conf.task_always_eager = eager
    _point_celery_at(app, saved)
