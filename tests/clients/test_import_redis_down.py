"""Confirming an import while Redis (the Celery broker) refuses connections: no 500, nothing lost —
the batch is saved "not started" with its file, the page says so and offers a retry that queues it."""

import io

import pytest
from django.urls import reverse

from clients.excel import spool_dir
from clients.models import Enterprise, ImportBatch

from .test_excel import ENTERPRISE_HEADERS, xlsx
from .test_import_task import _rows

pytestmark = pytest.mark.faults


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _preview(client):
    url = reverse("clients:import_upload", args=["enterprise"])
    upload = io.BytesIO(xlsx(ENTERPRISE_HEADERS, _rows(3)))
    upload.name = "r.xlsx"
    return url, client.post(url, {"file": upload, "mode": "create"}).context["token"]


def test_confirm_with_redis_down_keeps_the_batch_not_started_with_a_retry(
    officer1, client_for, redis_down, django_capture_on_commit_callbacks
):
    client = client_for(officer1)
    url, token = _preview(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"token": token})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.NOT_STARTED
    assert (spool_dir() / f"{batch.spool_token}.bin").exists()  # the uploaded file is kept
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-not-started"' in page and reverse("clients:import_retry", args=[batch.pk]) in page
    assert "未开始" in client.get(reverse("clients:import_list")).content.decode()

    # Still down: the retry says so again and loses nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("clients:import_retry", args=[batch.pk]))
    assert again.status_code == 302
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.NOT_STARTED


def test_retry_once_the_queue_is_back_runs_the_import(
    officer1, client_for, redis_down, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from clients import tasks

    client = client_for(officer1)
    url, token = _preview(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"token": token})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.NOT_STARTED
    # The queue is back: the broker takes the task and a worker runs it (here: at once).
    monkeypatch.setattr(tasks.run_import, "apply_async", lambda args, kwargs, **options: tasks.run_import(*args))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("clients:import_retry", args=[batch.pk]))
    assert response.status_code == 302
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE
    assert Enterprise.objects.count() == 3


def test_retry_is_refused_for_a_batch_that_is_not_waiting(officer1, officer2, client_for):
    batch = ImportBatch.objects.create(kind="enterprise", user=officer1, status=ImportBatch.Status.DONE)
    response = client_for(officer1).post(reverse("clients:import_retry", args=[batch.pk]), follow=True)
    assert "无需重试" in response.content.decode()
    assert client_for(officer2).post(reverse("clients:import_retry", args=[batch.pk])).status_code == 404
    assert not Enterprise.objects.exists()
