"""The Celery task and the management command (the task function directly; one test with a real worker)."""

import time

import pytest
from django.core.management import call_command

from privacy.models import PurgeRun

from . import retention_factories as f


@pytest.mark.django_db
def test_task_without_run_id_creates_a_scheduled_run_and_purges():
    from clients.models import Contact
    from privacy.retention.tasks import purge_expired

    f.only_rules("terminated-contacts")
    _ent, (c,) = f.expired_contacts(1)
    run_id = purge_expired()
    run = PurgeRun.objects.get(pk=run_id)
    assert (run.trigger, run.status, run.dry_run) == ("schedule", "succeeded", False)
    assert Contact.objects.get(pk=c.pk).name == ""


@pytest.mark.django_db
def test_task_is_idempotent_for_a_finished_run():
    from privacy.retention.tasks import purge_expired

    f.only_rules("terminated-contacts")
    run_id = purge_expired(dry_run=True)
    finished = PurgeRun.objects.get(pk=run_id).finished_at
    purge_expired(run_id=run_id)
    assert PurgeRun.objects.get(pk=run_id).finished_at == finished


@pytest.mark.django_db
def test_task_is_ignore_result_and_scheduled_at_0230(settings):
    from privacy.retention.tasks import purge_expired

    assert purge_expired.ignore_result
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "privacy.tasks.purge_expired")
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})


@pytest.mark.django_db
def test_command_dry_run_prints_progress_and_changes_nothing(capsys):
    from clients.models import Contact

    f.only_rules("terminated-contacts")
    _ent, (c,) = f.expired_contacts(1)
    call_command("purge_expired", "--dry-run", "--rule", "terminated-contacts")
    out = capsys.readouterr().out
    assert "terminated-contacts" in out and "candidates 1" in out
    assert Contact.objects.get(pk=c.pk).name == c.name
    assert PurgeRun.objects.get().trigger == "command"


@pytest.mark.django_db
def test_command_refuses_an_unknown_rule():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("purge_expired", "--rule", "no-such-rule")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_purges_expired_rows():
    from celery.contrib.testing.worker import start_worker

    from clients.models import Contact
    from privacy.retention.services import purge_run_create
    from privacy.retention.tasks import purge_expired
    from zhaoshang.celery import app

    f.only_rules("terminated-contacts")
    _ent, contacts = f.expired_contacts(3)
    run = purge_run_create(dry_run=False, trigger=PurgeRun.Trigger.MANUAL)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
            purge_expired.delay(run_id=run.pk)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                run.refresh_from_db()
                if run.is_finished:
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = eager
    assert run.status == "succeeded", run.errors
    assert all(Contact.objects.get(pk=c.pk).name == "" for c in contacts)
