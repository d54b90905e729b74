"""Background work: beat's heartbeat recorded by a worker, /healthz reporting the worker and the oldest
queued job (degraded past the thresholds), and the stalled-work banner for admins and the privacy officer."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import ImportBatch
from zhaoshang.core import health
from zhaoshang.core.models import Heartbeat
from zhaoshang.core.tasks import heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_banner():
    health.reset_banner_cache()
    yield
    health.reset_banner_cache()


def _beat(seconds_ago):
    Heartbeat.objects.update_or_create(
        name="worker", defaults={"at": timezone.now() - datetime.timedelta(seconds=seconds_ago)}
    )


def test_heartbeat_task_records_the_time_and_beat_schedules_it(settings):
    heartbeat()
    assert timezone.now() - Heartbeat.objects.get(name="worker").at < datetime.timedelta(minutes=1)
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "zhaoshang.core.tasks.heartbeat")
    assert entry["schedule"] <= settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS


def test_healthz_is_ok_with_a_fresh_heartbeat_and_nothing_waiting(client):
    _beat(10)
    body = client.get(reverse("core:healthz")).json()
    assert body["status"] == "ok" and body["worker"] == "ok" and body["oldest_queued_seconds"] is None


def test_healthz_is_degraded_when_the_worker_is_silent(client):
    _beat(3600)
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json()["worker"] == "stale" and response.json()["status"] == "degraded"


def test_healthz_reports_never_without_any_heartbeat(client):
    assert client.get(reverse("core:healthz")).json()["worker"] == "never"


def test_healthz_reports_the_oldest_queued_job_and_degrades_past_the_threshold(client, officer1, settings):
    _beat(10)
    settings.QUEUED_JOB_MAX_AGE_SECONDS = 600
    ImportBatch.objects.create(
        kind="enterprise", user=officer1, created_at=timezone.now() - datetime.timedelta(seconds=120)
    )
    body = client.get(reverse("core:healthz")).json()
    assert body["status"] == "ok" and 110 <= body["oldest_queued_seconds"] <= 200
    ImportBatch.objects.create(
        kind="enterprise", user=officer1, created_at=timezone.now() - datetime.timedelta(seconds=3600)
    )
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503 and response.json()["oldest_queued_seconds"] >= 3600


@pytest.mark.faults
def test_healthz_with_redis_down_is_degraded_not_a_500(client, redis_down):
    _beat(10)
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503 and response.json()["redis"] == "error"


@pytest.mark.parametrize("persona,shown", [("admin", True), ("dpo", True), ("officer1", False), ("auditor", False)])
def test_stalled_banner_for_admins_and_the_privacy_officer(client_for, org, persona, shown):
    _beat(3600)
    body = client_for(org[persona]).get("/").content.decode()
    assert ('id="stalled-banner"' in body) is shown


def test_no_banner_while_the_worker_beats(client_for, dpo):
    _beat(5)
    assert 'id="stalled-banner"' not in client_for(dpo).get("/").content.decode()
