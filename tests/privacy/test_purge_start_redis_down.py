"""Starting a purge while Redis (the Celery broker) refuses connections: no 500 and nothing stuck —
the run is saved "not started", its page says so with a retry, and the retry queues it once the
queue is back."""

import pytest
from django.urls import reverse

from privacy.models import PurgeRun

from . import retention_factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.faults]


def _start(client, django_capture_on_commit_callbacks):
    f.seed_rules()
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("privacy:run_start"), {"rule": "terminated-contacts"})


def test_purge_start_with_redis_down_is_saved_not_started_with_a_retry(
    client_for, dpo, redis_down, django_capture_on_commit_callbacks
):
    client = client_for(dpo)
    response = _start(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    run = PurgeRun.objects.get()
    assert run.status == PurgeRun.Status.NOT_STARTED
    page = client.get(response["Location"]).content.decode()
    assert 'id="run-not-started"' in page and reverse("privacy:run_retry", args=[run.pk]) in page
    assert "hx-trigger" not in page.split('id="run-progress"')[1].split(">")[0]  # no endless polling


def test_retry_once_the_queue_is_back_runs_the_purge(
    client_for, dpo, redis_down, django_capture_on_commit_callbacks, monkeypatch
):
    from privacy.retention import tasks

    client = client_for(dpo)
    _start(client, django_capture_on_commit_callbacks)
    run = PurgeRun.objects.get()
    monkeypatch.setattr(
        tasks.purge_expired, "apply_async", lambda args=(), kwargs=None, **options: tasks.purge_expired(**kwargs)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("privacy:run_retry", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.status == PurgeRun.Status.SUCCEEDED


@pytest.mark.parametrize("persona", ["officer1", "auditor", "head1"])
def test_retry_is_only_for_the_privacy_officer(client_for, org, persona):
    run = PurgeRun.objects.create(dry_run=True, status=PurgeRun.Status.NOT_STARTED)
    assert client_for(org[persona]).post(reverse("privacy:run_retry", args=[run.pk])).status_code == 404
    assert client_for(None).post(reverse("privacy:run_retry", args=[run.pk])).status_code == 302


def test_retry_of_a_finished_run_is_refused_with_a_message(client_for, dpo):
    run = PurgeRun.objects.create(dry_run=True, status=PurgeRun.Status.SUCCEEDED)
    page = client_for(dpo).post(reverse("privacy:run_retry", args=[run.pk]), follow=True).content.decode()
    assert "无需重试" in page
