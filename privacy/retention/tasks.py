"""Periodic retention jobs. Each is also a management command (purge_expired).

Registered under their historical names (``privacy.tasks.…``): the beat schedule and any message
already queued keep naming them so. `PrivacyConfig.ready` imports this module, so the worker
knows the task although Celery's autodiscovery looks for `privacy.tasks` only.
"""

from celery import shared_task


@shared_task(name="privacy.tasks.purge_expired", ignore_result=True)
def purge_expired(run_id=None, dry_run=False, rule_code=None):
    """Apply the retention rules (daily at 02:30). Ids and flags only; idempotent and resumable.

    Without `run_id` (the beat schedule) a new run record is created; with one (started from the
    privacy officer's page) that run is executed, unless it has finished already.
    """
    from privacy.models import PurgeRun
    from privacy.retention.services import purge_run_create, purge_run_execute

    if run_id is None:
        run_id = purge_run_create(
            dry_run=bool(dry_run), trigger=PurgeRun.Trigger.SCHEDULE, rule_code=rule_code or ""
        ).pk
    purge_run_execute(run_id=run_id)
    return run_id
